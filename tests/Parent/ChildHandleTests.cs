// Killing a helper must hit that helper or nothing: once it has exited and been reaped its pid is
// free, and (pid_max is often 32768) soon another process's. The kernel's ns_last_pid makes the
// reuse happen on purpose here: the next process started gets the old pid.
using Smtpd.Interop;
using Smtpd.Parent;

namespace Smtpd.Tests.Parent;

public class ChildHandleTests
{
    private const string LastPid = "/proc/sys/kernel/ns_last_pid";

    private static int SpawnSleep()
    {
        using var devnull = Posix.Open("/dev/null", Libc.O_RDWR);
        return Posix.Spawn("/bin/sleep", ["sleep", "60"], ["PATH=/usr/bin:/bin"], [(devnull, 0), (devnull, 1), (devnull, 2)]);
    }

    [Fact]
    public async Task ALiveChildIsSignalled()
    {
        int pid = SpawnSleep();
        var exit = Task.Run(() => new WaitStatus(Posix.WaitPid(pid)));
        using var handle = ChildHandle.Open(pid, exit);
        handle.Kill(Libc.SIGKILL);
        var status = await exit.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(status.Signaled && status.TermSignal == Libc.SIGKILL, status.Describe());
    }

    [ReusablePidFact]
    public async Task AReapedChildsPidTakenByAnotherProcessIsNotSignalled()
    {
        int first = SpawnSleep();
        var exit = new TaskCompletionSource<WaitStatus>();
        using var handle = ChildHandle.Open(first, exit.Task);
        Posix.Kill(first, Libc.SIGKILL);
        exit.SetResult(new WaitStatus(Posix.WaitPid(first)));

        // Another process gets the pid (other processes on the machine may take it first: retry).
        int other = -1;
        for (int attempt = 0; attempt < 100 && other != first; attempt++)
        {
            if (other > 0)
            {
                Posix.Kill(other, Libc.SIGKILL);
                Posix.WaitPid(other);
            }

            File.WriteAllText(LastPid, (first - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
            other = SpawnSleep();
        }

        int? killed = null;
        try
        {
            Assert.Equal(first, other);
            handle.Kill(Libc.SIGKILL);
            await Task.Delay(200);
            killed = Posix.TryWaitPid(other);
            Assert.True(killed is null, "the process now holding the pid was killed");
        }
        finally
        {
            if (killed is null)
            {
                Posix.Kill(other, Libc.SIGKILL);
                Posix.WaitPid(other);
            }
        }
    }

    private sealed class ReusablePidFactAttribute : FactAttribute
    {
        public ReusablePidFactAttribute()
        {
            if (Posix.GetEUid() != 0 || !File.Exists(LastPid))
            {
                Skip = "needs root and " + LastPid + " to make a pid be reused";
            }
        }
    }
}
