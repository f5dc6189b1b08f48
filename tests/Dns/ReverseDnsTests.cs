// A client's reverse name as the lookup role hands it on, as OpenSMTPD gets it: only a valid
// host name (libasr's res_hnok check; otherwise the session's host is "<unknown>"), kept
// whether or not it resolves back to the client's address, which is the separate fcrdns verdict.
using System.Net;
using System.Text;
using Smtpd.Dns;
using Smtpd.Ipc.Messages;

namespace Smtpd.Tests.Dns;

public class ReverseDnsTests
{
    private static readonly IPAddress s_client = IPAddress.Parse("192.0.2.7");

    private static DnsLookups LookupsFor(FakeDnsServer server) => new(DnsResolverTests.ResolverFor(server), new HostsFile());

    [Fact]
    public async Task AConfirmedNameIsTheSessionsHostAndPassesFcrdns()
    {
        using var server = new FakeDnsServer();
        server.Zone[("7.2.0.192.in-addr.arpa", 12)] = [(12, FakeDnsServer.Name("Mail.Example.ORG"))];
        server.Zone[("mail.example.org", 1)] = [(1, [192, 0, 2, 7])];
        var r = await LookupsFor(server).ReverseAsync(s_client);
        Assert.Equal(new ReverseResult("mail.example.org", FcrdnsResult.Pass), r);
    }

    [Fact]
    public async Task ANameThatDoesNotResolveBackIsKeptButFailsFcrdns()
    {
        using var server = new FakeDnsServer();
        server.Zone[("7.2.0.192.in-addr.arpa", 12)] = [(12, FakeDnsServer.Name("mail.trusted.example"))];
        server.Zone[("mail.trusted.example", 1)] = [(1, [198, 51, 100, 25])];
        var r = await LookupsFor(server).ReverseAsync(s_client);
        Assert.Equal(new ReverseResult("mail.trusted.example", FcrdnsResult.Fail), r);
    }

    [Fact]
    public async Task ANameWithNoAddressOrAFailingForwardLookupIsKeptWithoutFcrdns()
    {
        using var server = new FakeDnsServer();
        server.Zone[("7.2.0.192.in-addr.arpa", 12)] = [(12, FakeDnsServer.Name("nowhere.example"))];
        var r = await LookupsFor(server).ReverseAsync(s_client);
        Assert.Equal(new ReverseResult("nowhere.example", FcrdnsResult.Fail), r);

        // The PTR answers, then the forward lookup times out: an error, and the name stays.
        server.Zone[("7.2.0.192.in-addr.arpa", 12)] = [(12, FakeDnsServer.Name("slow.example"))];
        server.Zone[("slow.example", 1)] = [(1, [192, 0, 2, 7])];
        server.Unanswered.Add("slow.example");
        r = await LookupsFor(server).ReverseAsync(s_client);
        Assert.Equal(new ReverseResult("slow.example", FcrdnsResult.Error), r);
    }

    [Fact]
    public async Task NoPtrRecordIsAFailureAndATimeoutIsAnError()
    {
        using var server = new FakeDnsServer();
        Assert.Equal(new ReverseResult(null, FcrdnsResult.Fail), await LookupsFor(server).ReverseAsync(s_client));
        server.Silent = true;
        Assert.Equal(new ReverseResult(null, FcrdnsResult.Error), await LookupsFor(server).ReverseAsync(s_client));
    }

    [Theory]
    [InlineData("evil host.example.org")]
    [InlineData("mail.example.org\r\nX-Injected: yes")]
    [InlineData("<script>alert(1)</script>.example.org")]
    [InlineData("-oProxyCommand.example.org")]
    [InlineData("quote\".example.org")]
    [InlineData("semi;colon.example.org")]
    [InlineData("back\\slash.example.org")]
    public async Task APtrNameThatIsNotAHostNameIsNeverUsedNorLookedUp(string ptrName)
    {
        using var server = new FakeDnsServer();
        server.Zone[("7.2.0.192.in-addr.arpa", 12)] = [(12, FakeDnsServer.Name(ptrName))];
        // Even an address record that would confirm it does not help.
        server.Zone[(ptrName.ToLowerInvariant(), 1)] = [(1, [192, 0, 2, 7])];
        var r = await LookupsFor(server).ReverseAsync(s_client);
        Assert.Equal(new ReverseResult(null, FcrdnsResult.Fail), r);
        Assert.Equal(["7.2.0.192.in-addr.arpa"], server.QueriedNames);
    }

    [Fact]
    public async Task ANonAsciiOctetInAPtrNameMakesItInvalid()
    {
        using var server = new FakeDnsServer();
        byte[] label = [.. Encoding.ASCII.GetBytes("ma"), 0xff, 0x00, .. Encoding.ASCII.GetBytes("il")];
        server.Zone[("7.2.0.192.in-addr.arpa", 12)] = [(12, [(byte)label.Length, .. label, .. FakeDnsServer.Name("example.org")])];
        Assert.Equal(new ReverseResult(null, FcrdnsResult.Fail), await LookupsFor(server).ReverseAsync(s_client));
    }

    [Fact]
    public async Task TheFirstValidNameOfSeveralPtrRecordsIsTheOneChecked()
    {
        using var server = new FakeDnsServer();
        server.Zone[("7.2.0.192.in-addr.arpa", 12)] = [(12, FakeDnsServer.Name("bad name.example")), (12, FakeDnsServer.Name("good.example"))];
        server.Zone[("good.example", 1)] = [(1, [192, 0, 2, 7])];
        Assert.Equal(new ReverseResult("good.example", FcrdnsResult.Pass), await LookupsFor(server).ReverseAsync(s_client));
    }

    [Fact]
    public async Task AnIpv6ClientIsConfirmedByAaaaRecordsOnly()
    {
        using var server = new FakeDnsServer();
        var client = IPAddress.Parse("2001:db8::25");
        server.Zone[(DnsResolver.ReverseName(client), 12)] = [(12, FakeDnsServer.Name("v6.example.org"))];
        server.Zone[("v6.example.org", 28)] = [(28, client.GetAddressBytes())];
        server.Zone[("v6.example.org", 1)] = [(1, [192, 0, 2, 25])];
        Assert.Equal(new ReverseResult("v6.example.org", FcrdnsResult.Pass), await LookupsFor(server).ReverseAsync(client));
        Assert.Equal([DnsResolver.ReverseName(client), "v6.example.org"], server.QueriedNames);
    }

    [Fact]
    public async Task AnIpv4MappedClientIsLookedUpAsIpv4()
    {
        using var server = new FakeDnsServer();
        server.Zone[("7.2.0.192.in-addr.arpa", 12)] = [(12, FakeDnsServer.Name("mail.example.org"))];
        server.Zone[("mail.example.org", 1)] = [(1, [192, 0, 2, 7])];
        Assert.Equal(new ReverseResult("mail.example.org", FcrdnsResult.Pass), await LookupsFor(server).ReverseAsync(IPAddress.Parse("::ffff:192.0.2.7")));
    }
}
