using System.Diagnostics;
using System.Net;
using Smtpd.Dns;
using Smtpd.Ipc.Messages;

namespace Smtpd.Tests.Dns;

public class DnsResolverTests
{
    /// <summary>A resolver asking the fake server over UDP, as it asks a nameserver that is not on loopback.</summary>
    internal static DnsResolver ResolverFor(FakeDnsServer server, int timeoutSeconds = 1, int attempts = 1, bool trustAd = false) =>
        new(new ResolvConf([server.EndPoint], TimeSpan.FromSeconds(timeoutSeconds), attempts, trustAd), loopbackOverTcp: false);

    private static byte[] Mx(ushort pref, string host) => [(byte)(pref >> 8), (byte)pref, .. FakeDnsServer.Name(host)];

    /// <summary>A DANE-EE SPKI SHA-256 association (3 1 1) with 32 octets of data.</summary>
    private static readonly byte[] s_tlsa = [3, 1, 1, .. Enumerable.Range(0, 32).Select(i => (byte)i)];

    [Fact]
    public async Task AddressesComeBackForAAndAaaa()
    {
        using var server = new FakeDnsServer();
        server.Zone[("mx.example.org", 1)] = [(1, [192, 0, 2, 7])];
        server.Zone[("mx.example.org", 28)] = [(28, IPAddress.Parse("2001:db8::7").GetAddressBytes())];
        var lookups = new DnsLookups(ResolverFor(server));
        var (status, addrs) = await lookups.AddressesAsync("MX.example.org.");
        Assert.Equal(DnsStatus.Ok, status);
        Assert.Equal([IPAddress.Parse("192.0.2.7"), IPAddress.Parse("2001:db8::7")], addrs);
    }

    [Fact]
    public async Task MxAreSortedByPreferenceAndAMissingMxMeansTheDomainItself()
    {
        using var server = new FakeDnsServer();
        server.Zone[("example.org", 15)] = [(15, Mx(20, "b.example.org")), (15, Mx(10, "A.example.org"))];
        server.Zone[("nomx.example.org", 1)] = [(1, [192, 0, 2, 1])];
        var lookups = new DnsLookups(ResolverFor(server));
        var (status, mx) = await lookups.MxAsync("example.org");
        Assert.Equal(DnsStatus.Ok, status);
        Assert.Equal([((ushort)10, "a.example.org"), ((ushort)20, "b.example.org")], mx);
        var implicitMx = await lookups.MxAsync("nomx.example.org");
        Assert.Equal([((ushort)0, "nomx.example.org")], implicitMx.Exchangers);
        Assert.Equal(DnsStatus.NxDomain, (await lookups.MxAsync("absent.example.org")).Status);
    }

    [Fact]
    public async Task ANullMxMeansTheDomainAcceptsNoMail()
    {
        using var server = new FakeDnsServer();
        server.Zone[("nomail.example.org", 15)] = [(15, Mx(0, "."))];
        var (status, mx) = await new DnsLookups(ResolverFor(server)).MxAsync("nomail.example.org");
        Assert.Equal(DnsStatus.NoData, status);
        Assert.Empty(mx);
    }

    [Fact]
    public async Task ATruncatedUdpAnswerIsAskedAgainOverTcpOfTheSameServer()
    {
        using var server = new FakeDnsServer { TruncateUdp = true };
        server.Zone[("big.example.org", 16)] = [(16, [5, .. "hello"u8.ToArray(), 6, .. " world"u8.ToArray()])];
        var (status, texts) = await new DnsLookups(ResolverFor(server)).TxtAsync("big.example.org");
        Assert.Equal(DnsStatus.Ok, status);
        Assert.Equal(["hello world"], texts);
        Assert.Equal(1, server.UdpQueries);
        Assert.Equal(1, server.TcpQueries);
    }

    [Fact]
    public async Task AStrayAnswerWithAnotherIdCostsOneTryNotTheLookup()
    {
        // DnsClient takes the first datagram that arrives; one with another id fails that try
        // (it is never taken as the answer), and the next attempt asks again.
        using var server = new FakeDnsServer { StrayAnswersFirst = 1 };
        server.Zone[("a.example.org", 1)] = [(1, [192, 0, 2, 1])];
        var r = await ResolverFor(server, attempts: 2).QueryAsync("a.example.org", DnsType.A);
        Assert.Equal(DnsStatus.Ok, r.Status);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), r.Records.Single().Address);
        Assert.Equal(2, server.UdpQueries);
    }

    [Fact]
    public async Task AnAnswerToAnotherQuestionIsNotTaken()
    {
        using var server = new FakeDnsServer();
        server.Zone[("a.example.org", 1)] = [(1, [192, 0, 2, 1])];
        // Same id, but the question says "b.example.org".
        server.Mangle = answer =>
        {
            answer[13] = (byte)'b';
            return answer;
        };
        var r = await ResolverFor(server).QueryAsync("a.example.org", DnsType.A);
        Assert.Equal(DnsStatus.TempFail, r.Status);
        Assert.Contains("another question", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASilentServerIsATemporaryFailureAfterEveryAttempt()
    {
        using var server = new FakeDnsServer { Silent = true };
        var r = await ResolverFor(server, timeoutSeconds: 1, attempts: 2).QueryAsync("a.example.org", DnsType.A);
        Assert.Equal(DnsStatus.TempFail, r.Status);
        Assert.Equal(2, server.UdpQueries);
    }

    [Fact]
    public async Task AnUnansweredQueryIsAskedAgainAfterTheTimeout()
    {
        using var server = new FakeDnsServer { DropUdpQueries = 1 };
        server.Zone[("a.example.org", 1)] = [(1, [192, 0, 2, 1])];
        var clock = Stopwatch.StartNew();
        var r = await ResolverFor(server, timeoutSeconds: 1, attempts: 2).QueryAsync("a.example.org", DnsType.A);
        Assert.Equal(DnsStatus.Ok, r.Status);
        Assert.Equal(2, server.UdpQueries);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
        Assert.InRange(server.UdpQueryTimes[1] - server.UdpQueryTimes[0], TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task TimeoutAndAttemptsGoRoundTheNameserversInTheirOrder()
    {
        // glibc's order: every server once per attempt, each try waiting "timeout:" seconds.
        using var first = new FakeDnsServer { Silent = true };
        using var second = new FakeDnsServer { Silent = true };
        var resolver = new DnsResolver(new ResolvConf([first.EndPoint, second.EndPoint], TimeSpan.FromSeconds(1), 2), loopbackOverTcp: false);
        var clock = Stopwatch.StartNew();
        var r = await resolver.QueryAsync("a.example.org", DnsType.A);
        Assert.Equal(DnsStatus.TempFail, r.Status);
        Assert.Equal(2, first.UdpQueries);
        Assert.Equal(2, second.UdpQueries);
        Assert.True(first.UdpQueryTimes[0] < second.UdpQueryTimes[0] && second.UdpQueryTimes[0] < first.UdpQueryTimes[1] && first.UdpQueryTimes[1] < second.UdpQueryTimes[1]);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(3.8), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task NxDomainIsTheAnswerButServfailAsksTheNextServer()
    {
        using var first = new FakeDnsServer();
        using var second = new FakeDnsServer();
        second.Zone[("a.example.org", 1)] = [(1, [192, 0, 2, 1])];
        var resolver = new DnsResolver(new ResolvConf([first.EndPoint, second.EndPoint], TimeSpan.FromSeconds(1), 1), loopbackOverTcp: false);
        Assert.Equal(DnsStatus.NxDomain, (await resolver.QueryAsync("a.example.org", DnsType.A)).Status);
        Assert.Equal(0, second.UdpQueries);

        first.Mangle = answer =>
        {
            answer[3] = (byte)((answer[3] & 0xf0) | 2); // SERVFAIL
            return answer;
        };
        var r = await resolver.QueryAsync("a.example.org", DnsType.A);
        Assert.Equal(DnsStatus.Ok, r.Status);
        Assert.Equal(1, second.UdpQueries);
    }

    [Fact]
    public async Task AnEmptyAnswerIsNoDataWithoutAskingTheNextServer()
    {
        using var first = new FakeDnsServer();
        using var second = new FakeDnsServer();
        first.Zone[("a.example.org", 1)] = [(1, [192, 0, 2, 1])];
        var resolver = new DnsResolver(new ResolvConf([first.EndPoint, second.EndPoint], TimeSpan.FromSeconds(1), 1), loopbackOverTcp: false);
        Assert.Equal(DnsStatus.NoData, (await resolver.QueryAsync("a.example.org", DnsType.AAAA)).Status);
        Assert.Equal(0, second.UdpQueries);
    }

    [Theory]
    [InlineData("a..b.example.org")]
    [InlineData("this-label-is-far-too-long-for-dns-because-it-has-more-than-63-chars.org")]
    [InlineData("a b.example.org")]
    [InlineData("exämple.org")]
    [InlineData("")]
    public async Task AnInvalidNameIsNeverSent(string name)
    {
        using var server = new FakeDnsServer();
        var r = await ResolverFor(server).QueryAsync(name, DnsType.MX);
        Assert.Equal(DnsStatus.NxDomain, r.Status);
        Assert.Contains("invalid DNS name", r.Error, StringComparison.Ordinal);
        Assert.Equal(0, server.UdpQueries);
    }

    [Fact]
    public async Task NamesAreSentAbsoluteWithoutASearchDomain()
    {
        using var server = new FakeDnsServer();
        var resolver = new DnsResolver(ResolvConf.Parse($"search corp.example\nnameserver 127.0.0.1\n") with { Nameservers = [server.EndPoint] });
        await resolver.QueryAsync("mail", DnsType.MX);
        await resolver.QueryAsync("example.org.", DnsType.MX);
        Assert.Equal(["mail", "example.org"], server.QueriedNames);
    }

    [Fact]
    public async Task AnIdnDomainInItsAsciiFormIsLookedUpAsItIs()
    {
        // DnsClient shows the question of an answer IDN-decoded ("bücher.example"): the answer is still ours.
        using var server = new FakeDnsServer();
        server.Zone[("xn--bcher-kva.example", 15)] = [(15, Mx(10, "xn--mx-bcher-q9a.example"))];
        var (status, mx) = await new DnsLookups(ResolverFor(server)).MxAsync("xn--bcher-kva.example");
        Assert.Equal(DnsStatus.Ok, status);
        Assert.Equal([((ushort)10, "xn--mx-bcher-q9a.example")], mx);
    }

    [Fact]
    public async Task ALabelThatOnlyLooksLikePunycodeIsATemporaryFailure()
    {
        // DnsClient cannot decode an answer whose question has such a label (it IDN-decodes the
        // question and that throws): a limit of the library, which defers, never answers wrongly.
        using var server = new FakeDnsServer();
        server.Zone[("xn--not-punycode-.example", 15)] = [(15, Mx(10, "mx.example"))];
        var r = await ResolverFor(server).QueryAsync("xn--not-punycode-.example", DnsType.MX);
        Assert.Equal(DnsStatus.TempFail, r.Status);
        Assert.Equal(1, server.UdpQueries);
    }

    [Fact]
    public async Task TlsaIsAskedWithTheDoBitAndAuthenticatedOnlyWithAdFromATrustedResolver()
    {
        using var server = new FakeDnsServer { AuthenticData = true };
        server.Zone[("_25._tcp.mx.example.org", 52)] = [(52, s_tlsa)];

        var (status, authenticated, records) = await new DnsLookups(ResolverFor(server, trustAd: true)).TlsaAsync("mx.example.org.", 25);
        Assert.True(server.LastQueryHadDo);
        Assert.Equal(DnsStatus.Ok, status);
        Assert.True(authenticated);
        var tlsa = Assert.Single(records);
        Assert.Equal((3, 1, 1), (tlsa.Usage, tlsa.Selector, tlsa.MatchingType));
        Assert.Equal(s_tlsa[3..], tlsa.Data);

        // AD from a resolver resolv.conf does not trust ("options trust-ad" missing): ignored.
        Assert.False((await new DnsLookups(ResolverFor(server, trustAd: false)).TlsaAsync("mx.example.org", 25)).Authenticated);

        // A trusted resolver that did not validate (unsigned zone): no AD, records still there.
        server.AuthenticData = false;
        var unsigned = await new DnsLookups(ResolverFor(server, trustAd: true)).TlsaAsync("mx.example.org", 25);
        Assert.False(unsigned.Authenticated);
        Assert.Single(unsigned.Records);
    }

    [Fact]
    public async Task OtherQueriesGoWithoutTheDoBit()
    {
        using var server = new FakeDnsServer();
        await ResolverFor(server).QueryAsync("example.org", DnsType.MX);
        Assert.False(server.LastQueryHadDo);
    }

    [Fact]
    public async Task MangledAnswersGiveAStatusNeverAnException()
    {
        // DnsClient's decoder behind our wrapper: a few hundred answers with random octets
        // changed or cut off are each an answer, a failure or NXDOMAIN, never a throw.
        using var server = new FakeDnsServer();
        server.Zone[("a.example.org", 1)] = [(1, [192, 0, 2, 1])];
        server.Zone[("a.example.org", 15)] = [(15, Mx(10, "mx.a.example.org")), (15, Mx(20, "mx2.a.example.org"))];
        var rng = new Random(42);
        server.Mangle = answer =>
        {
            for (int f = rng.Next(1, 4); f > 0; f--)
            {
                answer[rng.Next(2, answer.Length)] = (byte)rng.Next(256);
            }

            return answer[..rng.Next(12, answer.Length + 1)];
        };
        var resolver = ResolverFor(server);
        for (int i = 0; i < 300; i++)
        {
            var r = await resolver.QueryAsync("a.example.org", i % 2 == 0 ? DnsType.A : DnsType.MX);
            Assert.True(Enum.IsDefined(r.Status));
        }
    }

    [Fact]
    public void ReverseNamesUseInAddrAndNibbleFormats()
    {
        Assert.Equal("4.3.2.1.in-addr.arpa", DnsResolver.ReverseName(IPAddress.Parse("1.2.3.4")));
        Assert.Equal("4.3.2.1.in-addr.arpa", DnsResolver.ReverseName(IPAddress.Parse("::ffff:1.2.3.4")));
        Assert.Equal("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", DnsResolver.ReverseName(IPAddress.Parse("2001:db8::1")));
    }

    [Fact]
    public async Task TheHostsFileAnswersBeforeAnyNameserver()
    {
        using var server = new FakeDnsServer { Silent = true };
        var hosts = HostsFile.Parse("127.0.0.1\tlocalhost\n::1 localhost ip6-localhost # comment\n192.0.2.5 mail.example.org mail\n");
        var lookups = new DnsLookups(ResolverFor(server), hosts);
        Assert.Equal(new ReverseResult("localhost", FcrdnsResult.Pass), await lookups.ReverseAsync(IPAddress.Loopback));
        Assert.Equal(new ReverseResult("localhost", FcrdnsResult.Pass), await lookups.ReverseAsync(IPAddress.IPv6Loopback));
        Assert.Equal([IPAddress.Parse("192.0.2.5")], (await lookups.AddressesAsync("MAIL")).Addresses);
        Assert.Equal(0, server.UdpQueries);
    }

    [Fact]
    public async Task ALoopbackNameserverIsAskedOverTcp()
    {
        using var server = new FakeDnsServer();
        server.Zone[("a.example.org", 1)] = [(1, [192, 0, 2, 1])];
        var resolver = new DnsResolver(new ResolvConf([server.EndPoint], TimeSpan.FromSeconds(5), 2));
        var r = await resolver.QueryAsync("a.example.org", DnsType.A);
        Assert.Equal(DnsStatus.Ok, r.Status);
        Assert.Equal([IPAddress.Parse("192.0.2.1")], r.Records.Select(x => x.Address));
        Assert.Equal((1, 0), (server.TcpQueries, server.UdpQueries));
    }

    [Fact]
    public async Task ALoopbackNameserverWhereNothingListensIsPassedAtOnce()
    {
        // A port where a fake server listened a moment ago: nothing listens there now. With the
        // defaults (5 s, 2 attempts), waiting for it would take 10 s; a refused connection is seen at once.
        IPEndPoint dead;
        using (var gone = new FakeDnsServer())
        {
            dead = gone.EndPoint;
        }

        using var live = new FakeDnsServer();
        live.Zone[("a.example.org", 1)] = [(1, [192, 0, 2, 1])];
        var clock = Stopwatch.StartNew();
        var r = await new DnsResolver(new ResolvConf([dead, live.EndPoint], TimeSpan.FromSeconds(5), 2)).QueryAsync("a.example.org", DnsType.A);
        Assert.Equal(DnsStatus.Ok, r.Status);
        Assert.Equal(1, live.TcpQueries);

        r = await new DnsResolver(new ResolvConf([dead], TimeSpan.FromSeconds(5), 2)).QueryAsync("a.example.org", DnsType.A);
        Assert.Equal(DnsStatus.TempFail, r.Status);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(2));
    }
}
