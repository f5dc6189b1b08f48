// SIGINT and SIGTERM stop the daemon cleanly even when it inherited them ignored, as a
// background job of a shell does: the parent handles both itself, as OpenSMTPD's does.
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class StopSignalTests
{
    public StopSignalTests()
    {
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
        }
    }

    public static TheoryData<int> StopSignals => new() { Libc.SIGINT, Libc.SIGTERM };

    [EndToEndTheory]
    [MemberData(nameof(StopSignals))]
    public void ADaemonStartedWithStopSignalsIgnoredStillStopsCleanly(int signal)
    {
        using var d = Daemon.Start(stopSignalsIgnored: true).WaitReady();
        var roles = d.Roles();
        Assert.Equal(6, roles.Count);
        string pidFile = Path.ChangeExtension(d.Socket, ".pid");
        Assert.True(File.Exists(pidFile));

        d.Signal(signal);
        Assert.Equal(0, d.WaitExit());
        Wait.Until(() => roles.All(r => !ProcInfo.Exists(r.Pid)), "every role has exited");
        Assert.EndsWith("Exiting\n", d.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("lost processor", d.Log, StringComparison.Ordinal);
        Assert.False(File.Exists(pidFile), "the pid file is removed");
        Assert.False(File.Exists(d.Socket), "the control socket is removed");
    }
}
