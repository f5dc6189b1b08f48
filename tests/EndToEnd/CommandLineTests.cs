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
            File.WriteAllText(conf, "listen on localhost\n");
            var r = Binary.Run(Binary.Require(), ["-n", "-f", conf]);
            Assert.Equal(0, r.Code);
            Assert.Equal("configuration OK\n", r.Err);
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

    [EndToEndFact]
    public void SmtpctlIsTheSameBinarySelectedByName()
    {
        string dir = Directory.CreateTempSubdirectory("smtpd-name").FullName;
        try
        {
            string ctl = Binary.LinkAs(dir, "smtpctl");
            var usage = Binary.Run(ctl, []);
            Assert.Equal((1, "usage: smtpctl command [argument ...]\n"), (usage.Code, usage.Err));

            var down = Binary.Run(ctl, ["show", "status"], new Dictionary<string, string> { ["SMTPD_SOCKET"] = Path.Combine(dir, "none.sock") });
            Assert.Equal((1, "smtpctl: smtpd doesn't seem to be running\n"), (down.Code, down.Err));

            var bad = Binary.Run(ctl, ["frob"]);
            Assert.Equal(1, bad.Code);
            Assert.StartsWith("invalid command\npossibilities are:\n", bad.Err, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
