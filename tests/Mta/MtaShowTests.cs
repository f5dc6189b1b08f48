using Smtpd.Mta;

namespace Smtpd.Tests.Mta;

public class MtaShowTests
{
    [Theory]
    [InlineData(0, "0s")]
    [InlineData(59, "59s")]
    [InlineData(60, "1m")]
    [InlineData(3661, "1h1m1s")]
    [InlineData(90061, "1d1h1m1s")]
    [InlineData(-15, "-15s")]
    public void DurationsReadAsOpenSmtpdWritesThem(long seconds, string text) => Assert.Equal(text, MtaShow.Duration(seconds));

    [Fact]
    public void ARouteWhoseFirstConnectionFailsIsDisabledWithAGrowingPenaltyUntilResumed()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_000_000);
        var reg = new MtaRegistry(() => now);
        var r = reg.Route(string.Empty, "2001:db8::1", "mx.example.org");
        reg.Connecting(r);
        r.Failed(now);
        reg.Closed(r);
        Assert.True(r.IsDisabled(now));
        Assert.Equal("1. [] <-> [2001:db8::1] (mx.example.org) ND-- nconn=0 nerror=1 penalty=1 timeout=15s", MtaShow.RouteLine(r, now));

        now = now.AddSeconds(15);
        Assert.False(r.IsDisabled(now));
        r.Failed(now);
        Assert.Equal("1. [] <-> [2001:db8::1] (mx.example.org) ND-- nconn=0 nerror=2 penalty=2 timeout=1m", MtaShow.RouteLine(r, now));

        reg.Resume(0);
        Assert.False(r.IsDisabled(now));
        Assert.Equal("1. [] <-> [2001:db8::1] (mx.example.org) N--- nconn=0 nerror=0 penalty=0 timeout=-", MtaShow.RouteLine(r, now));
    }

    [Fact]
    public void ARouteThatWorkedIsNotDisabledByALaterFailureAndIsForgottenWhenIdle()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_000_000);
        var reg = new MtaRegistry(() => now);
        var r = reg.Route("192.0.2.9", "192.0.2.1", "mx.example.org");
        reg.Connecting(r);
        r.Ok();
        Assert.Equal("1. 192.0.2.9 <-> 192.0.2.1 (mx.example.org) ---- nconn=1 nerror=0 penalty=0 timeout=-", MtaShow.RouteLine(r, now));
        Assert.Equal("192.0.2.1 mx.example.org refcount=1 nconn=1 lastconn=0s", MtaShow.HostLine(reg.Hosts([])[0].Host, reg.Hosts([])[0].Refcount, now));
        r.Failed(now);
        Assert.False(r.IsDisabled(now));
        reg.Closed(r);
        Assert.Empty(reg.LiveRoutes());
        Assert.Empty(reg.Hosts([]));
    }

    [Fact]
    public void HoststatsKeepTheLastErrorPerDomainForFourHours()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        var reg = new MtaRegistry(() => now);
        reg.HostStat("Example.ORG", "421 busy");
        reg.HostStat("example.org", "550 no");
        var s = Assert.Single(reg.HostStats());
        Assert.Equal("example.org|1700000000|550 no", MtaShow.HostStatLine(s.Domain, s.When, s.Error));
        now = now.AddHours(4);
        Assert.Empty(reg.HostStats());
    }
}
