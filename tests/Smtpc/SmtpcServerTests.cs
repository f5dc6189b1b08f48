// smtp(1)'s -s argument as smtpc.c parse_server() reads it, plus UNIX socket paths.
using Smtpd.Smtpc;

namespace Smtpd.Tests.Smtpc;

public class SmtpcServerTests
{
    [Theory]
    [InlineData("localhost", "localhost", 25, false, TlsRequirement.Opportunistic)]
    [InlineData("mail.example.org:2525", "mail.example.org", 2525, false, TlsRequirement.Opportunistic)]
    [InlineData("smtps://mail.example.org", "mail.example.org", 465, false, TlsRequirement.Implicit)]
    [InlineData("smtp+tls://[::1]:587", "::1", 587, false, TlsRequirement.Required)]
    [InlineData("smtp+notls://10.0.0.1", "10.0.0.1", 25, false, TlsRequirement.No)]
    [InlineData("lmtp://127.0.0.1:24", "127.0.0.1", 24, true, TlsRequirement.Opportunistic)]
    [InlineData("lmtp+notls://host:lmtp", "host", 24, true, TlsRequirement.No)]
    internal void UrlsGiveHostPortProtocolAndTls(string url, string host, int port, bool lmtp, TlsRequirement tls)
    {
        var s = SmtpcServer.Parse(url, out string? error);
        Assert.Null(error);
        Assert.Equal((host, port, lmtp, tls, (string?)null), (s!.Host, s.Port, s.Lmtp, s.Tls, s.SocketPath));
    }

    [Fact]
    public void CredentialsAndSocketPaths()
    {
        var s = SmtpcServer.Parse("smtps://me:p@ss:word@mail.example.org", out _)!;
        Assert.Equal(("me", "p@ss:word", "mail.example.org"), (s.User, s.Password, s.Host));
        var u = SmtpcServer.Parse("/var/run/smtpd-enqueue.sock", out _)!;
        Assert.Equal(("/var/run/smtpd-enqueue.sock", TlsRequirement.No), (u.SocketPath, u.Tls));
    }

    [Theory]
    [InlineData("gopher://x", "invalid url scheme gopher")]
    [InlineData("smtp://nocolon@host", "invalid credentials")]
    public void BadServersAreRefused(string url, string error)
    {
        Assert.Null(SmtpcServer.Parse(url, out string? why));
        Assert.Equal(error, why);
    }
}
