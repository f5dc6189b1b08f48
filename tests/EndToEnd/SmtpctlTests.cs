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
}
