// lmtp destinations as mail.lmtp reads them: absolute paths are UNIX sockets, the rest host[:port]
// with brackets for IPv6, port 25 by default, and errors in mail.lmtp's words.
using Smtpd.Mda;

namespace Smtpd.Tests.Mda;

public class LmtpDestinationTests
{
    [Theory]
    [InlineData("127.0.0.1:24", "127.0.0.1", 24)]
    [InlineData("lmtp.example.org:2424", "lmtp.example.org", 2424)]
    [InlineData("localhost", "localhost", 25)]
    [InlineData("[::1]:24", "::1", 24)]
    [InlineData("[IPv6:::1]:24", "::1", 24)]
    [InlineData("[ipv6:fe80::1]", "fe80::1", 25)]
    [InlineData("[192.0.2.1]", "192.0.2.1", 25)]
    public void HostAndPortAreSplitAtTheFirstColonOrAfterTheBrackets(string text, string host, int port)
    {
        Assert.True(LmtpDestination.TryParse(text, out var d, out string error), error);
        Assert.False(d.IsUnix);
        Assert.Equal(host, d.Host);
        Assert.Equal(port, d.Port);
    }

    [Fact]
    public void AnAbsolutePathIsAUnixSocket()
    {
        Assert.True(LmtpDestination.TryParse("/var/run/dovecot/lmtp", out var d, out _));
        Assert.True(d.IsUnix);
        Assert.Equal("/var/run/dovecot/lmtp", d.UnixPath);
        Assert.Equal("/var/run/dovecot/lmtp", d.ToString());
    }

    [Theory]
    [InlineData("[::1", "inet: invalid address syntax")]
    [InlineData("[::1]24", "inet: invalid address syntax")]
    [InlineData("", "inet: invalid address syntax")]
    [InlineData(":24", "inet: invalid address syntax")]
    [InlineData("host:", "inet: invalid port \"\"")]
    [InlineData("host:lmtp", "inet: invalid port \"lmtp\"")]
    [InlineData("host:65536", "inet: invalid port \"65536\"")]
    [InlineData("host:-1", "inet: invalid port \"-1\"")]
    [InlineData("::1", "inet: invalid address syntax")]
    public void MalformedDestinationsAreRefusedWithMailLmtpsWords(string text, string expected)
    {
        Assert.False(LmtpDestination.TryParse(text, out _, out string error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void AUnixPathThatDoesNotFitSunPathIsRefused()
    {
        Assert.True(LmtpDestination.TryParse("/" + new string('a', 106), out _, out _));
        Assert.False(LmtpDestination.TryParse("/" + new string('a', 107), out _, out string error));
        Assert.Equal("unix: socket path is too long", error);
    }
}
