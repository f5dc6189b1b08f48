// Writes a delivery status notification (RFC 3464 multipart/report) from MAILER-DAEMON: a plain
// notice, the machine-readable message/delivery-status part, then the original header
// (text/rfc822-headers) or, for RET=FULL failures, the whole message (message/rfc822).
// The MIME structure, header encoding and folding are MimeKit's; the texts are ours. The
// original is streamed into the report as it is (line ends made CRLF), never parsed or rewritten.
// Behaviour reference: usr.sbin/smtpd/bounce.c
// Differences from OpenSMTPD, on purpose: the real status code per recipient (not always 5.0.0),
// Original-Recipient, Remote-MTA, Diagnostic-Code and dates in the report, Message-ID and
// Auto-Submitted headers, and a correct message/rfc822 label when the whole message is returned.
using System.Globalization;
using MimeKit;
using MimeKit.IO;

namespace Smtpd.Mime;

internal static class BounceBuilder
{
    /// <summary>
    /// Writes the report to <paramref name="output"/> with CRLF line ends. <paramref name="original"/> is the
    /// bounced message at its start; only its header is read unless the whole message goes back.
    /// </summary>
    public static async Task<BounceResult> WriteAsync(BounceReport report, Stream original, Stream output, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(output);

        // RET=FULL only concerns failures (RFC 3461 4.3); delay and success notices carry the header, as in OpenSMTPD.
        bool full = report.Return == DsnRet.Full && report.Type == BounceType.Failed;
        string host = BounceNotice.Ascii7(report.ReportingMta);

        MimePart attached;
        bool eightBit;
        if (full)
        {
            // MimeKit reads a part's content from a stream it can rewind: the spool file is one (from
            // where it stands now on); anything else is read into memory first.
            Stream content;
            if (original.CanSeek)
            {
                content = new BoundStream(original, original.Position, -1, leaveOpen: true);
            }
            else
            {
                content = new MemoryStream();
                await original.CopyToAsync(content, ct);
                content.Position = 0;
            }

            eightBit = await OriginalMessage.HasEightBitAsync(content, ct);
            attached = Attachment("message", "rfc822", "Undelivered Message", content, eightBit);
        }
        else
        {
            byte[] header = await OriginalMessage.ReadHeaderAsync(original, ct);
            eightBit = OriginalMessage.HasEightBit(header);
            attached = Attachment("text", "rfc822-headers", "Message Headers", new MemoryStream(header), eightBit);
        }

        var notice = new TextPart("plain");
        notice.SetText("us-ascii", BounceNotice.Text(report, full));
        Describe(notice, "Notification");

        var status = new MessageDeliveryStatus();
        DeliveryStatus.Fill(status.StatusGroups, report, host);
        Describe(status, "Delivery Report");

        string boundary = report.Boundary ?? string.Create(CultureInfo.InvariantCulture, $"=_{Random.Shared.NextInt64():x16}/{BoundaryChars(host)}");
        var body = Report(boundary);
        body.Add(notice);
        body.Add(status);
        body.Add(attached);
        body.Preamble = "This is a MIME-encapsulated message.\n\n";
        if (eightBit)
        {
            body.Headers.Add(HeaderId.ContentTransferEncoding, "8bit");
        }

        string messageId = report.MessageId ?? string.Create(CultureInfo.InvariantCulture, $"<{Random.Shared.NextInt64():x16}@{host}>");

        // Every header is given, so MimeKit invents none (its own Message-ID would look up the host name).
        var message = new MimeMessage(
            new Header("Subject", "Delivery status notification: " + ActionText(report.Type)),
            new Header("From", "Mailer Daemon <MAILER-DAEMON@" + host + ">"),
            new Header("To", BounceNotice.Ascii7(report.To)),
            new Header("Date", MessageDate.Format(report.Date)),
            new Header("Message-ID", BounceNotice.Ascii7(messageId)),

            // RFC 3834: mark the report as automatic so that vacation responders and the like stay quiet.
            new Header("Auto-Submitted", "auto-replied"),
            new Header("MIME-Version", "1.0"),
            body);

        var counter = new CountingStream(output);
        await message.WriteToAsync(Format, counter, ct);
        return new BounceResult(eightBit, counter.Written);
    }

    /// <summary>bounce.c's action_str: the word used in Subject and in each Action field.</summary>
    public static string ActionText(BounceType type) => type switch
    {
        BounceType.Failed => "failed",
        BounceType.Delayed => "delayed",
        BounceType.Delivered => "delivered",
        BounceType.Relayed => "relayed",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static readonly FormatOptions Format = CreateFormat();

    private static FormatOptions CreateFormat()
    {
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        format.EnsureNewLine = true;
        return format;
    }

    // The multipart/report comes from MimeKit's parser, not a Multipart constructor: those draw a
    // boundary from the system's cryptographic random source, which is OpenSSL on Linux, and the
    // chrooted dispatcher that writes bounces has no OpenSSL to load (the process would abort).
    // Parsing keeps our Content-Type line as written too: report-type before boundary, as bounce.c.
    private static Multipart Report(string boundary)
    {
        string skeleton = "Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"" + boundary + "\"\r\n\r\n--" + boundary + "--\r\n";
        using var stream = new MemoryStream(System.Text.Encoding.ASCII.GetBytes(skeleton));
        return (Multipart)MimeEntity.Load(stream);
    }

    // The original goes in unencoded (7bit or 8bit as its bytes are), its line ends made CRLF on the way.
    private static MimePart Attachment(string type, string subtype, string description, Stream content, bool eightBit)
    {
        var encoding = eightBit ? ContentEncoding.EightBit : ContentEncoding.Default;
        var part = new MimePart(type, subtype) { Content = new MimeContent(content, encoding) };
        Describe(part, description);
        if (eightBit)
        {
            part.ContentTransferEncoding = ContentEncoding.EightBit;
        }

        return part;
    }

    private static void Describe(MimeEntity part, string description) =>
        part.Headers.Insert(0, new Header("Content-Description", description));

    // RFC 2046 bchars only; "=_" up front cannot occur in quoted-printable or base64 text.
    private static string BoundaryChars(string text) => string.Create(text.Length, text, static (dst, src) =>
    {
        for (int i = 0; i < src.Length; i++)
        {
            char c = src[i];
            dst[i] = char.IsAsciiLetterOrDigit(c) || "'()+_,-./:=?".Contains(c, StringComparison.Ordinal) ? c : '-';
        }
    });
}
