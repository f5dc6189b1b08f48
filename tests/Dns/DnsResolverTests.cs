using System.Net;
using Smtpd.Dns;

namespace Smtpd.Tests.Dns;

public class DnsResolverTests
{
    private static DnsResolver ResolverFor(FakeDnsServer server, int timeoutSeconds = 1, int attempts = 1) =>
        new(new ResolvConf([server.EndPoint], TimeSpan.FromSeconds(timeoutSeconds), attempts));

    private static byte[] Mx(ushort pref, string host) => [(byte)(pref >> 8), (byte)pref, .. FakeDnsServer.Name(host)];

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
        server.Zone[("example.org", 15)] = [(15, Mx(20, "b.example.org")), (15, Mx(10, "a.example.org"))];
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
    public async Task ATruncatedUdpAnswerIsRetriedOverTcp()
    {
        using var server = new FakeDnsServer { TruncateUdp = true };
        server.Zone[("big.example.org", 16)] = [(16, [5, .. "hello"u8.ToArray()])];
        var r = await ResolverFor(server).QueryAsync("big.example.org", DnsType.TXT);
        Assert.Equal(DnsStatus.Ok, r.Status);
        Assert.Equal("hello", r.Records.Single().Text);
        Assert.Equal(1, server.TcpQueries);
    }

    [Fact]
    public async Task AStrayAnswerWithAnotherIdIsIgnored()
    {
        using var server = new FakeDnsServer { SendStrayFirst = true };
        server.Zone[("a.example.org", 1)] = [(1, [192, 0, 2, 1])];
        var r = await ResolverFor(server).QueryAsync("a.example.org", DnsType.A);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), r.Records.Single().Address);
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
    public async Task ReverseDnsIsForwardConfirmedOrNot()
    {
        using var server = new FakeDnsServer();
        server.Zone[("7.2.0.192.in-addr.arpa", 12)] = [(12, FakeDnsServer.Name("mail.example.org"))];
        server.Zone[("mail.example.org", 1)] = [(1, [192, 0, 2, 7])];
        server.Zone[("8.2.0.192.in-addr.arpa", 12)] = [(12, FakeDnsServer.Name("liar.example.org"))];
        server.Zone[("liar.example.org", 1)] = [(1, [192, 0, 2, 99])];
        var lookups = new DnsLookups(ResolverFor(server));
        Assert.Equal(new ReverseResult("mail.example.org", FcrdnsResult.Pass), await lookups.ReverseAsync(IPAddress.Parse("192.0.2.7")));
        Assert.Equal(new ReverseResult("liar.example.org", FcrdnsResult.Fail), await lookups.ReverseAsync(IPAddress.Parse("192.0.2.8")));
        Assert.Equal(new ReverseResult(null, FcrdnsResult.Fail), await lookups.ReverseAsync(IPAddress.Parse("192.0.2.9")));
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
}
