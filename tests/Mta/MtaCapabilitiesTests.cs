using Smtpd.Mta;

namespace Smtpd.Tests.Mta;

public class MtaCapabilitiesTests
{
    [Fact]
    public void EhloKeywordsAreReadCaseInsensitivelyAfterTheGreetingLine()
    {
        var caps = MtaCapabilities.Parse(MtaReply.FromLines(250, ["250-mx.example.org hello", "250-pipelining", "250-size 1000", "250-8bitmime", "250-STARTTLS", "250-AUTH LOGIN", "250 dsn"]));
        Assert.True(caps.Pipelining);
        Assert.True(caps.Size);
        Assert.True(caps.EightBitMime);
        Assert.True(caps.StartTls);
        Assert.True(caps.Dsn);
        Assert.True(caps.AuthLogin);
        Assert.False(caps.AuthPlain);
        Assert.False(caps.SmtpUtf8);
    }

    [Fact]
    public void TheGreetingLineIsNotAnExtension()
    {
        var caps = MtaCapabilities.Parse(MtaReply.FromLines(250, ["250 PIPELINING"]));
        Assert.False(caps.Pipelining);
    }
}
