using Smtpd.Ctl;
using Smtpd.Queue;

namespace Smtpd.Tests.Ctl;

public class QueueEnvelopeLineTests
{
    private static Envelope Sample() => new()
    {
        Id = new EvpId(0x15bbfcb8f8b07f10),
        Type = EnvelopeType.Mda,
        SockAddr = "192.0.2.7",
        Sender = MailAddr.Parse("foo@example.com"),
        Rcpt = MailAddr.Parse("bar@example.com"),
        Dest = MailAddr.Parse("bar@example.com"),
        CreationTime = 1500048642,
        Ttl = 345600,
        LastTry = 0,
        Retry = 83,
        ErrorLine = "\"usage: fdm ...\"",
    };

    [Fact]
    public void ThePendingLineIsOpenSmtpdsFromIssue797() =>
        Assert.Equal(
            "15bbfcb8f8b07f10|inet4|mda||foo@example.com|bar@example.com|bar@example.com|1500048642|1500394242|0|83|pending|1139|\"usage: fdm ...\"",
            QueueEnvelopeLine.Format(Sample(), inFlight: false, suspended: false, time: 1500049781, now: 1500048642));

    [Fact]
    public void InFlightSuspendedLocalBounceAndOfflineLines()
    {
        var e = Sample();
        e.SockAddr = "local";
        e.Type = EnvelopeType.Bounce;
        e.Flags = EnvelopeFlags.Bounce | EnvelopeFlags.Authenticated;
        e.Sender = MailAddr.Empty;
        Assert.Equal(
            "15bbfcb8f8b07f10|local|bounce|bounce,auth,suspend|@|bar@example.com|bar@example.com|1500048642|1500394242|1500048600|83|inflight|42|\"usage: fdm ...\"",
            QueueEnvelopeLine.Format(e, inFlight: true, suspended: true, time: 1500048600, now: 1500048642));
        e.SockAddr = "[2001:db8::1]";
        e.ErrorLine = string.Empty;
        Assert.Equal(
            "15bbfcb8f8b07f10|inet6|bounce|bounce,auth|@|bar@example.com|bar@example.com|1500048642|1500394242|0|83|offline||",
            QueueEnvelopeLine.Format(e, "offline|"));
    }

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("back\\slash", "back\\\\slash")]
    [InlineData("bell\a", "bell\\^G")]
    [InlineData("del\x7f", "del\\^?")]
    [InlineData("\xe9t\xe9", "\\M-it\\M-i")]
    [InlineData("\x81", "\\M^A")]
    public void ErrorLinesAreEscapedAsVisDoes(string text, string expected) => Assert.Equal(expected, QueueEnvelopeLine.Vis(text));
}
