using Smtpd.Mda;

namespace Smtpd.Tests.Mda;

public class MdaLogTests
{
    [Fact]
    public void DeliveryLineMatchesOpenSmtpd()
    {
        // The line from OpenSMTPD issue #1274, rebuilt from its parts.
        Assert.Equal(
            "bdb3eafa2b6613d3 mda delivery evpid=f91890b2f23ac3af from=<info@somedomain.my> to=<me@mycorp.com> rcpt=<me@mycorp.com> user=fuzzymail delay=1h4m34s result=TempFail stat=Error (temporary failure: \"mail.lmtp: connect: Permission denied\")",
            MdaLog.Delivery(0xbdb3eafa2b6613d3, 0xf91890b2f23ac3af, "info@somedomain.my", "me@mycorp.com", "me@mycorp.com", "fuzzymail", new TimeSpan(1, 4, 34), MdaResult.TempFail("temporary failure: \"mail.lmtp: connect: Permission denied\"")));
    }

    [Fact]
    public void OkWithoutRcptAndNullSender()
    {
        Assert.Equal(
            "0000000000000001 mda delivery evpid=0000000200000003 from=<> to=<bob@example.org> user=bob delay=0s result=Ok stat=Delivered",
            MdaLog.Delivery(1, 0x200000003, null, "bob@example.org", null, "bob", TimeSpan.Zero, MdaResult.Ok));
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(45, "45s")]
    [InlineData(60, "1m")]
    [InlineData(3874, "1h4m34s")]
    [InlineData(183600, "2d3h")]
    [InlineData(-61, "-1m1s")]
    public void DurationsAsDurationToText(int seconds, string text)
    {
        Assert.Equal(text, MdaLog.Duration(TimeSpan.FromSeconds(seconds)));
    }
}
