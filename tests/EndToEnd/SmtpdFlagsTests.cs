// smtpd's flags as smtpd(8) documents them, beyond -n/-h/-D (CommandLineTests): -F stays in the
// foreground logging to syslog, -v adds debug lines, -P pauses a subsystem from the start (in
// SmtpctlTests); the default host name comes from /etc/mailname as OpenSMTPD's getmailname reads it.
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class SmtpdFlagsTests
{
    public SmtpdFlagsTests()
    {
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
        }
    }

    [EndToEndFact]
    public void DashFStaysInTheForegroundWithoutLoggingToTheTerminal()
    {
        using var d = Daemon.Start(extraArgs: ["-F"], debug: false).WaitReady();

        // The process started is the daemon itself (no fork), and it answers smtpctl.
        Assert.False(d.HasExited());
        Assert.Equal(6, d.Roles().Count);
        Assert.Equal("MDA running\nMTA running\nSMTP running\n", d.Ctl("show", "status").Out);
        Assert.Equal(string.Empty, d.Log);
        Assert.Equal("command succeeded\n", d.Ctl("stop").Out);
        Assert.Equal(0, d.WaitExit());
    }

    [EndToEndFact]
    public void DashVAddsDebugLines()
    {
        using var quiet = Daemon.Start().WaitReady();
        using var verbose = Daemon.Start(extraArgs: ["-v"]).WaitReady();
        Wait.Until(() => verbose.Log.Contains("debug: ", StringComparison.Ordinal), "debug lines with -v");
        Assert.DoesNotContain("debug: ", quiet.Log, StringComparison.Ordinal);
    }

    [EndToEndFact(needsRoot: true)]
    public void TheFirstLineOfEtcMailnameIsTheServersName()
    {
        // /etc seen through an overlay in the daemon's own mount namespace: the host's is untouched.
        string over = Directory.CreateTempSubdirectory("smtpd-etc-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(over, "u"));
            Directory.CreateDirectory(Path.Combine(over, "w"));
            string prelude = $"mount -t overlay overlay -o lowerdir=/etc,upperdir={over}/u,workdir={over}/w /etc && printf 'mail.example.test\\nsecond.example.test\\n' > /etc/mailname";
            using var d = Daemon.Start(rootPrelude: prelude).WaitReady();
            using var c = new SmtpClientHelper(d.Port);
            Assert.Equal("220 mail.example.test ESMTP OpenSMTPD", c.Greeting);
            Assert.Contains("250-mail.example.test Hello", c.Command("EHLO client.example.net"), StringComparison.Ordinal);
            Assert.False(File.Exists("/etc/mailname") && File.ReadAllText("/etc/mailname").StartsWith("mail.example.test", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(over, true);
        }
    }
}
