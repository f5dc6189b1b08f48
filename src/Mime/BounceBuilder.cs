// Writes a delivery status notification (RFC 3464 multipart/report) from MAILER-DAEMON: a plain
// notice, the machine-readable message/delivery-status part, then the original header
// (text/rfc822-headers) or, for RET=FULL failures, the whole message (message/rfc822).
// Behaviour reference: usr.sbin/smtpd/bounce.c
// Differences from OpenSMTPD, on purpose: the real status code per recipient (not always 5.0.0),
// Original-Recipient, Remote-MTA, Diagnostic-Code and dates in the report, Message-ID and
// Auto-Submitted headers, and a correct message/rfc822 label when the whole message is returned.
using System.Globalization;
using System.Text;

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
        bool full = report.Return == DsnReturn.Full && report.Type == BounceType.Failed;
        string host = BounceNotice.Ascii7(report.ReportingMta);
        string boundary = report.Boundary ?? string.Create(CultureInfo.InvariantCulture, $"=_{Random.Shared.NextInt64():x16}/{BoundaryChars(host)}");
        string messageId = report.MessageId ?? string.Create(CultureInfo.InvariantCulture, $"<{Random.Shared.NextInt64():x16}@{host}>");

        byte[]? header = null;
        bool eightBit;
        if (full)
        {
            // A stream we cannot rewind is labelled 8bit unseen: claiming 7bit wrongly is the worse mistake.
            eightBit = !original.CanSeek || await OriginalMessage.HasEightBitAsync(original, ct);
        }
        else
        {
            header = await OriginalMessage.ReadHeaderAsync(original, ct);
            eightBit = OriginalMessage.HasEightBit(header);
        }

        var sb = new StringBuilder(4096);
        AppendTopHeader(sb, report, host, boundary, messageId, eightBit);

        sb.Append("--").Append(boundary).Append("\r\n");
        sb.Append("Content-Description: Notification\r\n");
        sb.Append("Content-Type: text/plain; charset=us-ascii\r\n\r\n");
        BounceNotice.Append(sb, report, full);

        sb.Append("--").Append(boundary).Append("\r\n");
        sb.Append("Content-Description: Delivery Report\r\n");
        sb.Append("Content-Type: message/delivery-status\r\n\r\n");
        DeliveryStatus.Append(sb, report, host);

        sb.Append("--").Append(boundary).Append("\r\n");
        if (full)
        {
            sb.Append("Content-Description: Undelivered Message\r\n");
            sb.Append("Content-Type: message/rfc822\r\n");
        }
        else
        {
            sb.Append("Content-Description: Message Headers\r\n");
            sb.Append("Content-Type: text/rfc822-headers\r\n");
        }

        if (eightBit)
        {
            sb.Append("Content-Transfer-Encoding: 8bit\r\n");
        }

        sb.Append("\r\n");

        long bytes = await WriteAsciiAsync(output, sb, ct);
        if (header is not null)
        {
            await output.WriteAsync(header, ct);
            bytes += header.Length;
        }
        else
        {
            bytes += await OriginalMessage.CopyAsync(original, output, ct);
        }

        sb.Clear().Append("\r\n--").Append(boundary).Append("--\r\n");
        bytes += await WriteAsciiAsync(output, sb, ct);
        return new BounceResult(eightBit, bytes);
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

    private static void AppendTopHeader(StringBuilder sb, BounceReport report, string host, string boundary, string messageId, bool eightBit)
    {
        sb.Append("Subject: Delivery status notification: ").Append(ActionText(report.Type)).Append("\r\n");
        sb.Append("From: Mailer Daemon <MAILER-DAEMON@").Append(host).Append(">\r\n");
        sb.Append("To: ").Append(BounceNotice.Ascii7(report.To)).Append("\r\n");
        sb.Append("Date: ").Append(MessageDate.Format(report.Date)).Append("\r\n");
        sb.Append("Message-ID: ").Append(BounceNotice.Ascii7(messageId)).Append("\r\n");

        // RFC 3834: mark the report as automatic so that vacation responders and the like stay quiet.
        sb.Append("Auto-Submitted: auto-replied\r\n");
        sb.Append("MIME-Version: 1.0\r\n");
        sb.Append("Content-Type: multipart/report; report-type=delivery-status;\r\n");
        sb.Append("\tboundary=\"").Append(boundary).Append("\"\r\n");
        if (eightBit)
        {
            sb.Append("Content-Transfer-Encoding: 8bit\r\n");
        }

        sb.Append("\r\n");
        sb.Append("This is a MIME-encapsulated message.\r\n\r\n");
    }

    // RFC 2046 bchars only; "=_" up front cannot occur in quoted-printable or base64 text.
    private static string BoundaryChars(string text) => string.Create(text.Length, text, static (dst, src) =>
    {
        for (int i = 0; i < src.Length; i++)
        {
            char c = src[i];
            dst[i] = char.IsAsciiLetterOrDigit(c) || "'()+_,-./:=?".Contains(c, StringComparison.Ordinal) ? c : '-';
        }
    });

    private static async Task<long> WriteAsciiAsync(Stream output, StringBuilder sb, CancellationToken ct)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(sb.ToString());
        await output.WriteAsync(bytes, ct);
        return bytes.Length;
    }
}
