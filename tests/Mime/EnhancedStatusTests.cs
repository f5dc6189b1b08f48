using Smtpd.Mime;

namespace Smtpd.Tests.Mime;

public class EnhancedStatusTests
{
    [Theory]
    [InlineData("2.0.0", 2, 0, 0)]
    [InlineData("4.4.1", 4, 4, 1)]
    [InlineData("5.1.1", 5, 1, 1)]
    [InlineData("5.7.26", 5, 7, 26)]
    [InlineData("4.999.999", 4, 999, 999)]
    public void ParsesAndPrintsTheSameText(string text, int cls, int subject, int detail)
    {
        Assert.True(EnhancedStatus.TryParse(text, out var status));
        Assert.Equal((EnhancedStatusClass)cls, status.Class);
        Assert.Equal(subject, status.Subject);
        Assert.Equal(detail, status.Detail);
        Assert.Equal(text, status.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("5.1")]
    [InlineData("3.1.1")]
    [InlineData("5..1")]
    [InlineData("5.1.")]
    [InlineData("5.1000.1")]
    [InlineData("5.01.1")]
    [InlineData("5.1.1 ")]
    [InlineData("x.1.1")]
    public void RejectsWhatIsNotACode(string text)
    {
        Assert.False(EnhancedStatus.TryParse(text, out _));
    }

    [Theory]
    [InlineData("550 5.1.1 <bob@example.org>: Recipient address rejected", "5.1.1")]
    [InlineData("452-4.2.2 Mailbox full", "4.2.2")]
    [InlineData("250 2.0.0 Ok", "2.0.0")]
    [InlineData("550 5.7.1", "5.7.1")]
    public void FindsTheCodeAfterTheReplyCode(string reply, string expected)
    {
        Assert.True(EnhancedStatus.TryParseReply(reply, out var status));
        Assert.Equal(expected, status.ToString());
    }

    [Theory]
    [InlineData("550 4.1.1 class disagrees", "5.0.0")]
    [InlineData("550 no code here", "5.0.0")]
    [InlineData("421 Service not available", "4.0.0")]
    [InlineData("550 5.1.1x glued", "5.0.0")]
    [InlineData("", "5.0.0")]
    [InlineData("250 ok", "2.0.0")]
    public void FallsBackToTheClassOfTheReply(string reply, string expected)
    {
        Assert.Equal(expected, EnhancedStatus.FromReply(reply).ToString());
    }

    [Theory]
    [InlineData(0, "Other/Undefined")]
    [InlineData(11, "Bad destination mailbox address")]
    [InlineData(16, "Destination mailbox has moved, No forwarding address")]
    [InlineData(22, "Mailbox full")]
    [InlineData(34, "Message too big for system")]
    [InlineData(47, "Delivery time expired")]
    [InlineData(54, "Invalid command arguments")]
    [InlineData(71, "Delivery not authorized, message refused")]
    [InlineData(77, "Message integrity failure")]
    public void DescribesCodesWithEscTexts(int code, string text)
    {
        Assert.Equal(text, new EnhancedStatus(EnhancedStatusClass.PermFail, (EnhancedStatusCode)code).Description);
    }

    [Fact]
    public void UnlistedOrWideCodesAreUndefined()
    {
        Assert.Equal("Other/Undefined", new EnhancedStatus(EnhancedStatusClass.PermFail, 7, 26).Description);
        Assert.Equal("Other/Undefined", new EnhancedStatus(EnhancedStatusClass.PermFail, 9, 9).Description);
        Assert.Null(new EnhancedStatus(EnhancedStatusClass.PermFail, 7, 26).Code);
    }

    [Fact]
    public void PackedCodeRoundTripsAsInEnvelopes()
    {
        var s = new EnhancedStatus(EnhancedStatusClass.TempFail, EnhancedStatusCode.MailSystemCongestion);
        Assert.Equal("4.4.5", s.ToString());
        Assert.Equal(EnhancedStatusCode.MailSystemCongestion, s.Code);
    }

    [Fact]
    public void EveryEnumMemberHasAText()
    {
        foreach (var code in Enum.GetValues<EnhancedStatusCode>())
        {
            Assert.False(string.IsNullOrEmpty(EnhancedStatusTexts.Describe(code)));
        }
    }

    [Fact]
    public void WithDescriptionIsWhatRepliesPrint()
    {
        Assert.Equal("5.7.1 Delivery not authorized, message refused", new EnhancedStatus(EnhancedStatusClass.PermFail, EnhancedStatusCode.DeliveryNotAuthorizedMessageRefused).WithDescription);
    }
}
