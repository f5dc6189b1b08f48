// Enhanced status codes and their texts, as OpenSMTPD writes them into replies.
using Smtpd.Mime;

namespace Smtpd.Tests.Mime;

public class EnhancedStatusReplyTests
{
    [Fact]
    public void CodesAreClassSubjectDetail()
    {
        Assert.Equal("2.0.0", EnhancedStatus.Format(EnhancedStatusClass.Success, EnhancedStatusCode.OtherStatus));
        Assert.Equal("5.5.1", EnhancedStatus.Format(EnhancedStatusClass.PermFail, EnhancedStatusCode.InvalidCommand));
        Assert.Equal("4.3.0", EnhancedStatus.Format(EnhancedStatusClass.TempFail, EnhancedStatusCode.OtherMailSystemStatus));
        Assert.Equal("2.1.5", EnhancedStatus.Format(EnhancedStatusClass.Success, EnhancedStatusCode.DestinationAddressValid));
        Assert.Equal("5.7.7", EnhancedStatus.Format(EnhancedStatusClass.PermFail, EnhancedStatusCode.MessageIntegrityFailure));
    }

    [Fact]
    public void DescriptionsAreOpenSmtpdsIncludingTheMissingIntegrityFailureText()
    {
        Assert.Equal("5.5.4 Invalid command arguments", EnhancedStatus.ReplyText(EnhancedStatusClass.PermFail, EnhancedStatusCode.InvalidCommandArguments));
        Assert.Equal("Bad sender's system address syntax", EnhancedStatus.ReplyDescription(EnhancedStatusCode.BadSenderSystemAddress));
        Assert.Equal("Message too big for system", EnhancedStatus.ReplyDescription(EnhancedStatusCode.MessageTooBigForSystem));

        // esc.c lists "Message integrity failure" under the code of "Message too big for system",
        // so 5.7.7 itself falls through to the default.
        Assert.Equal("Other/Undefined", EnhancedStatus.ReplyDescription(EnhancedStatusCode.MessageIntegrityFailure));
        Assert.All(Enum.GetValues<EnhancedStatusCode>(), c => Assert.False(string.IsNullOrEmpty(EnhancedStatus.ReplyDescription(c))));
    }
}
