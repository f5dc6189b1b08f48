// OCSP stapling's logic without a network: when the lka asks again, what it accepts of an HTTP
// reply, and which staple the dispatcher hands a handshake (the right certificate, not expired).
using System.Text;
using Smtpd.Lka;
using Smtpd.Tls;

namespace Smtpd.Tests.Tls;

public class OcspTests
{
    [Theory]
    [InlineData(null, 3600)]
    [InlineData(7L * 86400, 3600)]
    [InlineData(3600L, 1800)]
    [InlineData(60L, 60)]
    [InlineData(-10L, 60)]
    public void TheNextCheckIsHalfwayToNextUpdateBetweenAMinuteAndAnHour(long? left, int expectedSeconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), LkaOcsp.NextRefresh(left));
    }

    [Fact]
    public void TheBodyOfA200ReplyIsCutAtItsContentLength()
    {
        byte[] reply = Encoding.ASCII.GetBytes("HTTP/1.0 200 OK\r\nContent-Type: application/ocsp-response\r\nContent-Length: 3\r\n\r\nabcdef");
        Assert.Equal("abc"u8.ToArray(), OcspHttp.Body(reply));
    }

    [Fact]
    public void AnotherStatusOrACutReplyIsAnError()
    {
        Assert.Equal("HTTP status 404 Not Found", Assert.Throws<IOException>(() => OcspHttp.Body("HTTP/1.1 404 Not Found\r\n\r\n"u8)).Message);
        Assert.Equal("response cut short", Assert.Throws<IOException>(() => OcspHttp.Body("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab"u8)).Message);
        Assert.Throws<IOException>(() => OcspHttp.Body("HTTP/1.1 200 OK\r\n"u8));
    }

    [Theory]
    [InlineData("http://ocsp.example.org", "ocsp.example.org", 80, "/")]
    [InlineData("http://127.0.0.1:8888/ocsp/x", "127.0.0.1", 8888, "/ocsp/x")]
    public void ResponderUrlsAreTakenApart(string url, string host, int port, string path)
    {
        Assert.Equal(new OcspUrl(host, port, path), OcspHttp.Parse(url));
    }

    [Fact]
    public void OnlyHttpResponderUrlsAreUsed()
    {
        Assert.Null(OcspHttp.Parse("https://ocsp.example.org/"));
        Assert.Null(OcspHttp.Parse("ldap://ocsp.example.org/"));
    }

    [Fact]
    public void AStapleIsHandedOnlyToItsCertificateAndOnlyBeforeItExpires()
    {
        var staples = new OcspStaples();
        byte[] cert = [1, 2, 3];
        staples.Set("mx", cert, 1000, [9]);
        Assert.Equal([9], staples.Current("mx", cert, 999));
        Assert.Null(staples.Current("mx", cert, 1000));
        Assert.Null(staples.Current("mx", [1, 2, 4], 999));
        Assert.Null(staples.Current("other", cert, 999));

        staples.Set("mx", cert, 0, [8]);
        Assert.Equal([8], staples.Current("mx", cert, long.MaxValue));
    }
}
