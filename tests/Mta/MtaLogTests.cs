using System.Text.RegularExpressions;
using Smtpd.Ipc.Messages;
using Smtpd.Mime;
using Smtpd.Mta;

namespace Smtpd.Tests.Mta;

public class MtaLogTests
{
    private static MtaDeliverRequest Envelope(string rcpt) =>
        new(0x1234567890abcdef, "out", "alice@example.com", rcpt, "bob@example.org", DateTimeOffset.UtcNow.ToUnixTimeSeconds(), DsnNotify.None, DsnRet.None, "", "", "mx.example.com");

    [Fact]
    public void TheDeliveryLineIsOpenSmtpdsWithRcptDashWhenTheRecipientWasNotRewritten()
    {
        string line = MtaLog.Delivery(0xfedcba9876543210, Envelope("bob@example.org"), "198.51.100.7", MtaLog.Relay("192.0.2.25", "mx.example.org"), DeliveryOutcomeStatus.Ok, "250 2.0.0 Ok: queued");
        Assert.Matches(new Regex("^fedcba9876543210 mta delivery evpid=1234567890abcdef from=<alice@example.com> to=<bob@example.org> rcpt=<-> source=\"198.51.100.7\" relay=\"192.0.2.25 \\(mx.example.org\\)\" delay=\\d+s result=\"Ok\" stat=\"250 2.0.0 Ok: queued\"$"), line);
    }

    [Fact]
    public void ARewrittenRecipientAndAFailureWithoutSourceAreShown()
    {
        string line = MtaLog.Delivery(1, Envelope("list@example.com"), null, "-", DeliveryOutcomeStatus.PermFail, "Domain does not exist");
        Assert.Contains(" rcpt=<list@example.com> source=\"-\" relay=\"-\" ", line, StringComparison.Ordinal);
        Assert.EndsWith("result=\"PermFail\" stat=\"Domain does not exist\"", line, StringComparison.Ordinal);
    }

    [Fact]
    public void SessionLinesAreOpenSmtpds()
    {
        Assert.Equal("0000000000000001 mta connecting address=smtp://192.0.2.25:25 host=mx.example.org", MtaLog.Connecting(1, "smtp://", "192.0.2.25", 25, "mx.example.org"));
        Assert.Equal("0000000000000001 mta error reason=Connection timeout", MtaLog.Error(1, 0, "Connection timeout"));
        Assert.Equal("smtp-out: Error on session 0000000000000001 after 2 messages sent: Connection timeout", MtaLog.Error(1, 2, "Connection timeout"));
        Assert.Equal("0000000000000001 mta disconnected reason=quit messages=3", MtaLog.Disconnected(1, 3));
    }
}
