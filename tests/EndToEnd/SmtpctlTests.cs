// smtpctl against a running daemon: status, verbosity, abbreviations, who may ask.
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class SmtpctlTests
{
    public SmtpctlTests()
    {
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
        }
    }

    [EndToEndFact]
    public void ShowStatusAndLogCommandsWorkAlsoAbbreviated()
    {
        using var d = Daemon.Start().WaitReady();
        Assert.Equal((0, "MDA running\nMTA running\nSMTP running\n"), (d.Ctl("show", "status").Code, d.Ctl("show", "status").Out));
        Assert.Equal("MDA running\nMTA running\nSMTP running\n", d.Ctl("sh", "st").Out);
        Assert.Equal((0, "command succeeded\n"), (d.Ctl("log", "verbose").Code, d.Ctl("log", "verbose").Out));
        Assert.Equal("command succeeded\n", d.Ctl("log", "brief").Out);
        Assert.False(d.HasExited());
    }

    [EndToEndFact(needsRoot: true)]
    public void AnOrdinaryUserIsToldThatSmtpctlNeedsRoot()
    {
        using var d = Daemon.Start().WaitReady();
        string ctl = Binary.LinkAs(d.Dir, "smtpctl");
        var r = Binary.Run("setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", ctl, "show", "status"], new Dictionary<string, string> { ["SMTPD_SOCKET"] = d.Socket });
        Assert.Equal((1, "smtpctl: need root privileges\n"), (r.Code, r.Err));
    }

    [EndToEndFact]
    public void GarbageOrAWrongProtocolVersionOnTheControlSocketIsRefusedAndTheDaemonGoesOn()
    {
        using var d = Daemon.Start().WaitReady();
        using (var junk = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified))
        {
            junk.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(d.Socket));
            junk.Send(System.Text.Encoding.ASCII.GetBytes("GET / HTTP/1.0\r\n\r\n" + new string('x', 100)));
            Assert.Equal(0, junk.Receive(new byte[16]));
        }

        using (var old = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified))
        {
            old.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(d.Socket));
            var frame = new byte[Smtpd.Ipc.ImsgHeader.Size];
            new Smtpd.Ipc.ImsgHeader(Smtpd.Ipc.ImsgType.CtlShowStatus, frame.Length, false, 999, 0).Write(frame);
            old.Send(frame);
            Assert.Equal(0, old.Receive(new byte[16]));
        }

        Wait.Until(() => d.Log.Contains("warn: control_dispatch_ext: imsg version mismatch", StringComparison.Ordinal), "the mismatch is logged");
        Assert.Equal("MDA running\nMTA running\nSMTP running\n", d.Ctl("show", "status").Out);
        Assert.False(d.HasExited());
    }

    [EndToEndFact]
    public void LogVerboseReachesEveryRoleAsTheImsgTraceShows()
    {
        using var d = Daemon.Start(extraArgs: ["-T", "imsg"]).WaitReady();
        Assert.Equal("command succeeded\n", d.Ctl("log", "verbose").Out);
        foreach (string role in new[] { "parent", "lka", "queue", "scheduler", "dispatcher", "ca" })
        {
            Wait.Until(() => d.Log.Contains($"imsg: {role} <- control: IMSG_CTL_VERBOSE (len=4)", StringComparison.Ordinal), role + " traces the verbosity change");
        }
    }
}
