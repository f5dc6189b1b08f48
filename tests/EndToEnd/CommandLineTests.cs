// The binary's face on the command line: program chosen by name, usage errors, -h, -n.
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

public class CommandLineTests
{
    private const string Usage = "usage: smtpd [-dFhnv] [-D macro=value] [-f file] [-P system] [-T trace]";

    [EndToEndFact]
    public void HelpPrintsVersionAndUsageAndExitsOne()
    {
        var r = Binary.Run(Binary.Require(), ["-h"]);
        Assert.Equal(1, r.Code);
        Assert.Equal($"version: smtpd 0.1.0\n{Usage}\n", r.Err);
    }

    [EndToEndFact]
    public void AnUnknownFlagPrintsUsageAndExitsOne()
    {
        var r = Binary.Run(Binary.Require(), ["-Z"]);
        Assert.Equal(1, r.Code);
        Assert.Equal($"smtpd: invalid option -- 'Z'\n{Usage}\n", r.Err);
    }

    [EndToEndFact]
    public void NoActionChecksTheConfigurationAndSaysSo()
    {
        string conf = Path.GetTempFileName();
        try
        {
            File.WriteAllText(conf, Daemon.MinimalConfigOn());
            var r = Binary.Run(Binary.Require(), ["-n", "-f", conf]);
            Assert.Equal(0, r.Code);
            Assert.Equal("configuration OK\n", r.Err);
            Assert.Equal("", r.Out);
        }
        finally
        {
            File.Delete(conf);
        }
    }

    [EndToEndFact]
    public void AMissingNamedConfigurationFileIsAnError()
    {
        var r = Binary.Run(Binary.Require(), ["-n", "-f", "/nonexistent/smtpd.conf"]);
        Assert.Equal(1, r.Code);
        Assert.Contains("/nonexistent/smtpd.conf", r.Err, StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void TheBinaryCalledByAnUnknownNameGivesAUsageError()
    {
        string dir = Directory.CreateTempSubdirectory("smtpd-name").FullName;
        try
        {
            var r = Binary.Run(Binary.LinkAs(dir, "frobnicate"), []);
            Assert.Equal(1, r.Code);
            Assert.StartsWith("frobnicate: unknown program name", r.Err, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>Every name the packages install answers, and NAME.smtpd (what the RPM's
    /// alternatives point at) is the same program as NAME: same status, same output.</summary>
    [EndToEndTheory]
    [InlineData("sendmail", "-q")]
    [InlineData("send-mail", "-q")]
    [InlineData("mailq", "-x")]
    [InlineData("makemap", "-x")]
    [InlineData("newaliases", "-x")]
    [InlineData("smtpctl", "frobnicate")]
    [InlineData("smtp", "-h")]
    public void EveryInstalledNameIsAProgramAlsoWithTheRpmSuffix(string name, string arg)
    {
        string dir = Directory.CreateTempSubdirectory("smtpd-name").FullName;
        try
        {
            var plain = Binary.Run(Binary.LinkAs(dir, name), [arg], stdin: string.Empty);
            var suffixed = Binary.Run(Binary.LinkAs(dir, name + ".smtpd"), [arg], stdin: string.Empty);
            Assert.DoesNotContain("unknown program name", plain.Err, StringComparison.Ordinal);
            Assert.Equal(plain, suffixed);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [EndToEndFact]
    public void SmtpctlIsTheSameBinarySelectedByName()
    {
        string dir = Directory.CreateTempSubdirectory("smtpd-name").FullName;
        try
        {
            string ctl = Binary.LinkAs(dir, "smtpctl");
            // As OpenSMTPD's parser: no command lists the first words, and exits 255.
            var usage = Binary.Run(ctl, []);
            Assert.Equal(255, usage.Code);
            Assert.StartsWith("possibilities are:\ndiscover\npause\nresume\nshow\n", usage.Err, StringComparison.Ordinal);

            var down = Binary.Run(ctl, ["show", "status"], new Dictionary<string, string> { ["SMTPD_SOCKET"] = Path.Combine(dir, "none.sock") });
            Assert.Equal((1, "smtpctl: smtpd doesn't seem to be running\n"), (down.Code, down.Err));

            var bad = Binary.Run(ctl, ["frob"]);
            Assert.Equal((255, usage.Err), (bad.Code, bad.Err));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [EndToEndFact]
    public void NoActionReportsEveryConfigurationErrorWithFileAndLine()
    {
        string conf = Path.GetTempFileName();
        try
        {
            File.WriteAllText(conf, "listen in localhost\naction \"local\" maildir alias <aliases>\nmatch for local action \"nowhere\"\n");
            var r = Binary.Run(Binary.Require(), ["-n", "-f", conf]);
            Assert.Equal(1, r.Code);
            var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length >= 3, r.Err);
            Assert.StartsWith($"{conf}:1: ", lines[0], StringComparison.Ordinal);
            Assert.Contains(lines, l => l.StartsWith($"{conf}:2: ", StringComparison.Ordinal) && l.Contains("aliases", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith($"{conf}:3: ", StringComparison.Ordinal) && l.Contains("nowhere", StringComparison.Ordinal));
            Assert.DoesNotContain("configuration OK", r.Err, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(conf);
        }
    }

    [EndToEndFact]
    public void NoActionVerbosePrintsALegacyConfigurationAsModernRules()
    {
        string conf = Path.GetTempFileName();
        string aliases = Path.GetTempFileName();
        try
        {
            File.WriteAllText(aliases, "root: alice\n");
            File.WriteAllText(conf, $"listen on localhost\ntable aliases file:{aliases}\naccept for local alias <aliases> deliver to mbox\n");
            var r = Binary.Run(Binary.Require(), ["-n", "-v", "-f", conf]);
            Assert.Equal(0, r.Code);
            Assert.Contains($"{conf}:3: ", r.Err, StringComparison.Ordinal);
            Assert.EndsWith("configuration OK\n", r.Err, StringComparison.Ordinal);
            Assert.Contains("mbox", r.Out, StringComparison.Ordinal);
            Assert.Contains("match ", r.Out, StringComparison.Ordinal);
            Assert.DoesNotContain("accept", r.Out, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(conf);
            File.Delete(aliases);
        }
    }

    [EndToEndFact]
    public void MacrosFromTheCommandLineOverrideTheFile()
    {
        string conf = Path.GetTempFileName();
        try
        {
            File.WriteAllText(conf, "mport = \"25\"\nlisten on 127.0.0.1 port $mport\naction \"local\" maildir\nmatch for local action \"local\"\n");
            var r = Binary.Run(Binary.Require(), ["-n", "-v", "-D", "mport=2526", "-f", conf]);
            Assert.Equal(0, r.Code);
            Assert.Contains("port 2526", r.Out, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(conf);
        }
    }

    [EndToEndFact(needsRoot: true)]
    public void AsRootWithoutThePrivilegeSeparationUsersTheDaemonRefusesToStart()
    {
        string dir = Directory.CreateTempSubdirectory("smtpd-nousers").FullName;
        try
        {
            // A private view of /etc/passwd in which _smtpd and _smtpq do not exist.
            string conf = Path.Combine(dir, "smtpd.conf");
            File.WriteAllText(conf, Daemon.MinimalConfigOn());
            string script = $"grep -v '^_smtp' /etc/passwd > {dir}/passwd && mount --bind {dir}/passwd /etc/passwd && " +
                $"exec {Binary.Require()} -d -f {conf} --queue-dir {dir}/spool --socket {dir}/smtpd.sock --empty-dir {dir}";
            var r = Binary.Run("unshare", ["-m", "--propagation", "private", "sh", "-c", script]);
            Assert.Equal(1, r.Code);
            Assert.StartsWith("smtpd: unknown user _smtpd: running as root needs the privilege-separation users _smtpd and _smtpq", r.Err, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
