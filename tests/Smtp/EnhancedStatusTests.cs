// Enhanced status codes and their texts, as OpenSMTPD writes them into replies.
using Smtpd.Smtp;
using EnhancedStatus = Smtpd.Smtp.EnhancedStatus;
using Smtpd.Mime;

namespace Smtpd.Tests.Smtp;

public class EnhancedStatusTests
{
    [Fact]
    public void CodesAreClassSubjectDetail()
    {
        Assert.Equal("2.0.0", EnhancedStatus.Code(EnhancedStatusClass.Success, EnhancedStatusCode.OtherStatus));
        Assert.Equal("5.5.1", EnhancedStatus.Code(EnhancedStatusClass.PermFail, EnhancedStatusCode.InvalidCommand));
        Assert.Equal("4.3.0", EnhancedStatus.Code(EnhancedStatusClass.TempFail, EnhancedStatusCode.OtherMailSystemStatus));
        Assert.Equal("2.1.5", EnhancedStatus.Code(EnhancedStatusClass.Success, EnhancedStatusCode.DestinationAddressValid));
        Assert.Equal("5.7.7", EnhancedStatus.Code(EnhancedStatusClass.PermFail, EnhancedStatusCode.MessageIntegrityFailure));
    }

    [Fact]
    public void DescriptionsAreOpenSmtpdsIncludingTheMissingIntegrityFailureText()
    {
        Assert.Equal("5.5.4 Invalid command arguments", EnhancedStatus.WithDescription(EnhancedStatusClass.PermFail, EnhancedStatusCode.InvalidCommandArguments));
        Assert.Equal("Bad sender's system address syntax", EnhancedStatus.Description(EnhancedStatusCode.BadSenderSystemAddress));
        Assert.Equal("Message too big for system", EnhancedStatus.Description(EnhancedStatusCode.MessageTooBigForSystem));

        // esc.c lists "Message integrity failure" under the code of "Message too big for system",
        // so 5.7.7 itself falls through to the default.
        Assert.Equal("Other/Undefined", EnhancedStatus.Description(EnhancedStatusCode.MessageIntegrityFailure));
        Assert.All(Enum.GetValues<EnhancedStatusCode>(), c => Assert.False(string.IsNullOrEmpty(EnhancedStatus.Description(c))));
    }
}
