// A delivery helper (`smtpd -x mda`) started as root must really become the job's user before it
// delivers anything. Ids of -1 (which setresuid and setresgid take as "leave unchanged") would
// leave it root: it refuses them, says why, and exits without answering, so the parent defers the
// mail and can never hand that helper, still root, another job.
using Smtpd.Interop;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

public sealed class MdaHelperDropTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("smtpd-mdadrop-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [EndToEndFact(needsRoot: true)]
    public async Task AHelperAskedToBecomeUidMinusOneExitsWithoutDelivering()
    {
        string maildir = Path.Combine(_dir, "Maildir");
        string stderrPath = Path.Combine(_dir, "stderr");
        var (mine, theirs) = Posix.SocketPair();
        int pid;
        using (var devnull = Posix.Open("/dev/null", Libc.O_RDWR))
        using (var stderr = Posix.Open(stderrPath, Libc.O_WRONLY | Libc.O_CREAT, 0x180))
        using (theirs)
        {
            pid = Posix.Spawn(Binary.Require(), ["smtpd", "-x", "mda", "-d"], ["PATH=/usr/bin:/bin"], [(devnull, 0), (devnull, 1), (stderr, 2), (theirs, 3)]);
        }

        var exit = Task.Run(() => new WaitStatus(Posix.WaitPid(pid)));
        using var channel = new ImsgChannel(mine, "mda");
        channel.Start();
        var message = Posix.AnonymousFile("message");
        Assert.Equal(Errno.None, Posix.TryWriteAll(message, "Subject: drop\n\nhello\n"u8));
        Assert.Equal(Errno.None, Posix.TrySeek(message, 0));
        channel.Post(new MdaJob(0x1234, MdaMethod.Maildir, maildir, false, "vevil", uint.MaxValue, uint.MaxValue, _dir, true, "sender@example.net", "vevil@localhost", "vevil@localhost", string.Empty, "mx.example.org"), fd: message);

        if (await Task.WhenAny(exit, Task.Delay(TimeSpan.FromSeconds(30))) != exit)
        {
            Posix.Kill(pid, Libc.SIGKILL);
            await exit;
            Assert.Fail("the helper is still running after a job it may not do:\n" + File.ReadAllText(stderrPath));
        }

        var status = await exit;
        Assert.True(status.Exited && status.ExitCode == 71, status.Describe() + "\n" + File.ReadAllText(stderrPath));
        Assert.False(channel.Inbound.TryRead(out _), "the helper answered");
        Assert.False(Directory.Exists(maildir), "the helper delivered as root");
        Assert.Contains("cannot drop privileges to 4294967295:4294967295", File.ReadAllText(stderrPath), StringComparison.Ordinal);
    }
}
