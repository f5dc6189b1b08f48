using System.Net.Sockets;
using Smtpd.Config;
using Smtpd.Mta;

namespace Smtpd.Tests.Mta;

public class MtaLimitsTests
{
    private static SmtpdConfig Load(string limits)
    {
        var result = ConfigLoader.LoadFromString(limits + "action \"out\" relay\nmatch from local for any action \"out\"\n", "l.conf");
        Assert.True(result.Success, string.Join('\n', result.Errors));
        return result.Config!;
    }

    [Fact]
    public void WithoutLimitsOpenSmtpdsDefaultsApply()
    {
        var l = MtaLimits.For(Load(string.Empty), "example.org");
        Assert.Equal((20, 100, (AddressFamily?)null), (l.MaxConnPerRoute, l.SessionMailMax, l.Family));
    }

    [Fact]
    public void ADomainsOwnLimitsComeAfterTheGeneralOnes()
    {
        var config = Load("mta limit for domain example.org max-conn-per-route 1\nmta limit max-conn-per-route 3 session-mail-max 7\nmta limit inet4\n");
        var own = MtaLimits.For(config, "EXAMPLE.org");
        Assert.Equal((1, 7, (AddressFamily?)AddressFamily.InterNetwork), (own.MaxConnPerRoute, own.SessionMailMax, own.Family));
        var other = MtaLimits.For(config, "example.net");
        Assert.Equal((3, 7), (other.MaxConnPerRoute, other.SessionMailMax));
    }

    [Fact]
    public void TheCapsOfOneStatementBoundTheSameSessionsAndTheDelaysAreSeconds()
    {
        var config = Load("mta limit max-conn-per-relay 8 max-conn-per-domain 2 max-conn-per-route 4 conn-delay-relay 3 session-transaction-delay 1 session-keepalive 10 max-failures-per-session 6\n");
        var l = MtaLimits.For(config, "example.org");
        Assert.Equal(2, l.MaxConnPerRoute);
        Assert.Equal(TimeSpan.FromSeconds(3), l.ConnDelay);
        Assert.Equal(TimeSpan.FromSeconds(1), l.TransactionDelay);
        Assert.Equal(TimeSpan.FromSeconds(10), l.KeepAlive);
        Assert.Equal(6, l.MaxFailuresPerSession);
        var defaults = MtaLimits.For(Load(string.Empty), "example.org");
        Assert.Equal((TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, 25), (defaults.ConnDelay, defaults.TransactionDelay, defaults.KeepAlive, defaults.MaxFailuresPerSession));
    }
}
