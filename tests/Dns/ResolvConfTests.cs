using Smtpd.Dns;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.Dns;

public class ResolvConfTests
{
    [Fact]
    public void ResolvConfTakesThreeNameserversAndTheTimingOptions()
    {
        var c = ResolvConf.Parse("# comment\nsearch example.org\nnameserver 127.0.0.53\nnameserver ::1\nnameserver 10.0.0.1\nnameserver 10.0.0.2\noptions timeout:2 attempts:3 ndots:1\n");
        Assert.Equal(["127.0.0.53:53", "[::1]:53", "10.0.0.1:53"], c.Nameservers.Select(e => e.ToString()));
        Assert.Equal(TimeSpan.FromSeconds(2), c.Timeout);
        Assert.Equal(3, c.Attempts);
        Assert.False(c.TrustAd);
        Assert.Equal("127.0.0.1:53", ResolvConf.Parse("").Nameservers.Single().ToString());
    }

    [Fact]
    public void TrustAdAndUnusableAddressesAreRead()
    {
        var c = ResolvConf.Parse("nameserver 0.0.0.0\nnameserver ::\nnameserver not-an-address\noptions edns0 trust-ad\n");
        Assert.True(c.TrustAd);
        Assert.Equal("127.0.0.1:53", c.Nameservers.Single().ToString());
        Assert.Equal((TimeSpan.FromSeconds(5), 2), (c.Timeout, c.Attempts));
    }

    [RootFact("binds a fake nameserver on port 53, where a resolv.conf nameserver line points")]
    public async Task TheServersOfAResolvConfFileAreTheOnlyOnesAsked()
    {
        // Two nameservers on loopback addresses of their own, port 53, named by a resolv.conf file.
        var (first, second) = (FakeDnsServer.OnPort53(), FakeDnsServer.OnPort53());
        using (first)
        using (second)
        {
            first.Silent = true;
            second.Zone[("example.org", 15)] = [(15, [0, 10, .. FakeDnsServer.Name("mx.example.org")])];
            string file = Path.GetTempFileName();
            try
            {
                File.WriteAllText(file, $"nameserver {first.EndPoint.Address}\nnameserver {second.EndPoint.Address}\noptions timeout:1 attempts:1\n");
                var conf = ResolvConf.Load(file);
                Assert.Equal([first.EndPoint, second.EndPoint], conf.Nameservers);
                var (status, mx) = await new DnsLookups(new DnsResolver(conf), new HostsFile()).MxAsync("example.org");
                Assert.Equal(DnsStatus.Ok, status);
                Assert.Equal([((ushort)10, "mx.example.org")], mx);
                // Loopback nameservers are asked over TCP; one that takes the connection and
                // never answers is asked once more over UDP before the next server is.
                Assert.Equal((1, 1), (first.TcpQueries, second.TcpQueries));
                Assert.Equal((1, 0), (first.UdpQueries, second.UdpQueries));
            }
            finally
            {
                File.Delete(file);
            }
        }
    }
}
