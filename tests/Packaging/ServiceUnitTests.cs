// The shipped systemd unit: Type=notify (the daemon tells systemd when it is ready; see
// EndToEnd/ServiceNotifyTests) and sandboxed to systemd's "OK" exposure level or better.
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.Packaging;

public class ServiceUnitTests
{
    private static string Unit([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "packaging", "smtpd.service"));

    private static string DebianUnit([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "debian", "smtpd.service"));

    [Fact]
    public void TheUnitWaitsForTheDaemonsReadinessAndRunsItInTheForeground()
    {
        string[] lines = File.ReadAllLines(Unit());
        Assert.Contains("Type=notify", lines);
        Assert.Contains("NotifyAccess=main", lines);
        Assert.Contains("ExecStart=/usr/sbin/smtpd -F", lines);
        Assert.Contains("ExecStartPre=/usr/sbin/smtpd -n", lines);
        Assert.Contains("ExecReload=/bin/kill -HUP $MAINPID", lines);
    }

    [Fact]
    public void TheDebianPackageShipsTheSameUnit()
    {
        Assert.Equal(File.ReadAllText(Unit()), File.ReadAllText(DebianUnit()));
    }

    [Fact]
    public void SystemdRatesTheUnitOkOrBetter()
    {
        var (code, output, error) = Binary.Run("systemd-analyze", ["security", "--offline=true", "--no-pager", Unit()]);
        var level = Regex.Match(output, @"Overall exposure level for smtpd\.service: ([0-9.]+) ");
        Assert.True(level.Success, $"systemd-analyze printed no exposure level (exit {code}): {output}{error}");
        double exposure = double.Parse(level.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(exposure <= 4.9, $"exposure {exposure} is above 4.9:\n{output}");
    }
}
