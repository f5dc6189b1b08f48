using Smtpd.Mta;

namespace Smtpd.Tests.Mta;

public class MtaReplyTests
{
    [Fact]
    public void ASingleLineReplyIsItsLine()
    {
        var r = MtaReply.FromLines(250, ["250 2.0.0 Ok: queued"]);
        Assert.Equal("250 2.0.0 Ok: queued", r.Text);
        Assert.Equal('2', r.Class);
        Assert.True(r.IsPositive);
        Assert.False(r.IsPermanent);
    }

    [Fact]
    public void AMultiLineReplyKeepsTheFirstLineAndTheTextOfTheOthersWithoutTheirStatus()
    {
        var r = MtaReply.FromLines(550, ["550-5.7.1 Message rejected", "550-5.7.1 see https://example.org/why", "550 5.7.1 for details"]);
        Assert.Equal("550-5.7.1 Message rejected see https://example.org/why for details", r.Text);
        Assert.True(r.IsPermanent);
        Assert.Equal(3, r.Lines.Count);
    }

    [Theory]
    [InlineData(421, '4', false)]
    [InlineData(354, '3', true)]
    [InlineData(554, '5', false)]
    public void TheClassIsTheFirstDigit(int code, char cls, bool positive)
    {
        var r = MtaReply.Local(code, code + " x");
        Assert.Equal(cls, r.Class);
        Assert.Equal(positive, r.IsPositive);
    }
}
