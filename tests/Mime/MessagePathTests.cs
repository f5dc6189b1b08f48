using System.Buffers;
using System.Net;
using System.Text;
using Smtpd.Mime;

namespace Smtpd.Tests.Mime;

// The Mime pieces in the order a message meets them: trace header and header filter on the way into
// the spool, then a bounce built from that spool file.
public class MessagePathTests
{
    [Fact]
    public async Task SpooledMessageBouncesWithItsRewrittenHeader()
    {
        var when = new DateTimeOffset(2026, 11, 22, 2, 7, 36, TimeSpan.Zero);
        var spool = new ArrayBufferWriter<byte>();
        spool.Write(Encoding.ASCII.GetBytes(ReceivedHeader.Format(new ReceivedInfo
        {
            Helo = "laptop",
            Rdns = "laptop.example.net",
            Address = IPAddress.Parse("192.0.2.9"),
            SmtpName = "mx.example.org",
            Esmtp = true,
            MsgId = 0xcafe0001,
            SingleRecipient = "bob@example.net",
            Time = when,
        })));

        var filter = new MessageHeaderFilter("mx.example.org", date: when, messageId: "<1@mx.example.org>");
        foreach (var line in new[] { "From: alice", "To: bob@example.net", "Bcc: eve", "Subject: lunch", "", "see you", ".hidden dot line" })
        {
            filter.PushLine(Encoding.ASCII.GetBytes(line), spool);
        }

        Assert.True(filter.End(spool));

        var report = new BounceReport
        {
            Type = BounceType.Failed,
            ReportingMta = "mx.example.org",
            To = "alice@mx.example.org",
            Date = when,
            Recipients = [new BounceRecipient { FinalRecipient = "bob@example.net", Status = EnhancedStatus.FromReply("550 5.1.1 no such user"), DiagnosticCode = "550 5.1.1 no such user", RemoteMta = "mx.example.net" }],
        };
        var output = new MemoryStream();
        await BounceBuilder.WriteAsync(report, new MemoryStream(spool.WrittenSpan.ToArray()), output);

        var headers = MimeReader.Parse(MimeReader.Parse(Encoding.ASCII.GetString(output.ToArray())).Parts[2].Body);
        Assert.Equal("alice@mx.example.org", headers.Header("From"));
        Assert.Null(headers.Header("Bcc"));
        Assert.Equal("<1@mx.example.org>", headers.Header("Message-ID"));
        Assert.Equal("Sun, 22 Nov 2026 02:07:36 +0000", headers.Header("Date"));
        Assert.StartsWith("from laptop (laptop.example.net [192.0.2.9])", headers.Header("Received"), StringComparison.Ordinal);
        Assert.Equal("5.1.1", MimeReader.DeliveryStatusGroups(MimeReader.Parse(Encoding.ASCII.GetString(output.ToArray())).Parts[1].Body)[1].Header("Status"));
    }
}
