// The human-readable first part of a bounce. Same outline as OpenSMTPD's notice — greeting, a
// sentence per report kind, one "address: error" line per recipient, the delay reassurance, then a
// pointer to what is attached — in our own words. Always plain US-ASCII.
// Behaviour reference: usr.sbin/smtpd/bounce.c (NOTICE_INTRO, notice_*, bounce_duration)
using System.Globalization;
using System.Text;

namespace Smtpd.Mime;

internal static class BounceNotice
{
    public static string Text(BounceReport report, bool fullMessage)
    {
        var sb = new StringBuilder(1024);
        sb.Append("    Hello,\r\n\r\n");
        sb.Append("    This report was written automatically by the mail system at\r\n");
        sb.Append("    ").Append(Ascii7(report.ReportingMta)).Append(". Please do not reply to it.\r\n\r\n");

        switch (report.Type)
        {
            case BounceType.Failed:
                sb.Append("    Your message could not be delivered to the recipients listed\r\n");
                sb.Append("    below. The mail system has given up on them:\r\n\r\n");
                break;
            case BounceType.Delayed:
                sb.Append("    Your message has been waiting for more than ").Append(Duration(report.Delay)).Append("\r\n");
                sb.Append("    for delivery to the recipients listed below:\r\n\r\n");
                break;
            case BounceType.Delivered:
                sb.Append("    Your message was delivered to the recipients listed below.\r\n\r\n");
                break;
            case BounceType.Relayed:
                sb.Append("    Your message was handed on to the recipients listed below; the\r\n");
                sb.Append("    next mail system will not send delivery reports of its own.\r\n\r\n");
                break;
        }

        foreach (var rcpt in report.Recipients)
        {
            sb.Append(Ascii7(rcpt.FinalRecipient)).Append(": ").Append(Ascii7(ErrorText(rcpt))).Append("\r\n");
        }

        sb.Append("\r\n");

        if (report.Type == BounceType.Delayed)
        {
            sb.Append("    This is only a warning, not a failure: the message stays in the\r\n");
            sb.Append("    queue and delivery will be retried for up to ").Append(Duration(report.Expiry)).Append(".\r\n");
            sb.Append("    There is no need to send it again.\r\n\r\n");
        }

        // The blank line that follows is the CRLF that belongs to the next MIME boundary.
        sb.Append(fullMessage
            ? "    The original message is attached below.\r\n"
            : "    The header of the original message is attached below.\r\n");
        return sb.ToString();
    }

    /// <summary>Whole units, rounded down, as bounce.c prints them: "1 minute", "3 hours", "5 days".</summary>
    public static string Duration(TimeSpan span)
    {
        long d = Math.Max(0, (long)span.TotalSeconds);
        (long n, string unit) = d switch
        {
            < 60 => (d, "second"),
            < 3600 => (d / 60, "minute"),
            < 86400 => (d / 3600, "hour"),
            _ => (d / 86400, "day"),
        };
        return string.Create(CultureInfo.InvariantCulture, $"{n} {unit}{(n == 1 ? "" : "s")}");
    }

    // OpenSMTPD keeps internal pseudo-replies starting with 1 or 6 in error lines; their code is not
    // for the sender's eyes, so it is cut off as bounce_add does.
    private static string ErrorText(BounceRecipient rcpt)
    {
        string line = rcpt.ErrorLine ?? rcpt.DiagnosticCode ?? rcpt.Status.Description;
        if (line.Length > 4 && (line[0] == '1' || line[0] == '6'))
        {
            line = line[4..];
        }

        return line;
    }

    /// <summary>Printable US-ASCII only: anything else (8-bit, controls) becomes '?'.</summary>
    public static string Ascii7(string text)
    {
        foreach (char c in text)
        {
            if (c is < ' ' or > '~')
            {
                return string.Create(text.Length, text, static (dst, src) =>
                {
                    for (int i = 0; i < src.Length; i++)
                    {
                        dst[i] = src[i] is < ' ' or > '~' ? '?' : src[i];
                    }
                });
            }
        }

        return text;
    }
}
