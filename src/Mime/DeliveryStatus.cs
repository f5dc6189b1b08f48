// The message/delivery-status body of a report (RFC 3464 section 2): per-message fields, then one
// block per recipient. 7-bit text only; long values are folded at spaces.
// Behaviour reference: usr.sbin/smtpd/bounce.c (the "Delivery Report" part)
using System.Text;

namespace Smtpd.Mime;

internal static class DeliveryStatus
{
    private const int FoldAt = 78;

    public static void Append(StringBuilder sb, BounceReport report, string host)
    {
        // Field order follows the ABNF of RFC 3464 section 2.2 and 2.3.
        if (!string.IsNullOrEmpty(report.EnvelopeId))
        {
            Field(sb, "Original-Envelope-Id", Xtext.Decode(report.EnvelopeId));
        }

        Field(sb, "Reporting-MTA", "dns; " + host);

        if (report.ArrivalDate is { } arrival)
        {
            Field(sb, "Arrival-Date", MessageDate.Format(arrival));
        }

        sb.Append("\r\n");

        foreach (var rcpt in report.Recipients)
        {
            if (!string.IsNullOrEmpty(rcpt.OriginalRecipient))
            {
                Field(sb, "Original-Recipient", TypedAddress(rcpt.OriginalRecipient));
            }

            Field(sb, "Final-Recipient", "rfc822; " + rcpt.FinalRecipient);

            Field(sb, "Action", BounceBuilder.ActionText(report.Type));
            Field(sb, "Status", rcpt.Status.ToString());
            if (!string.IsNullOrEmpty(rcpt.RemoteMta))
            {
                Field(sb, "Remote-MTA", "dns; " + rcpt.RemoteMta);
            }

            if (!string.IsNullOrEmpty(rcpt.DiagnosticCode))
            {
                Field(sb, "Diagnostic-Code", rcpt.DiagnosticType + "; " + rcpt.DiagnosticCode);
            }

            if (rcpt.LastAttemptDate is { } last)
            {
                Field(sb, "Last-Attempt-Date", MessageDate.Format(last));
            }

            if (report.Type == BounceType.Delayed && report.ArrivalDate is { } since && report.Expiry > TimeSpan.Zero)
            {
                Field(sb, "Will-Retry-Until", MessageDate.Format(since + report.Expiry));
            }

            sb.Append("\r\n");
        }
    }

    // ORCPT is "addr-type;xtext"; the report shows "addr-type; decoded-address". A value without a
    // type is taken to be an RFC 822 address.
    private static string TypedAddress(string orcpt)
    {
        int semi = orcpt.IndexOf(';', StringComparison.Ordinal);
        return semi < 0
            ? "rfc822; " + Xtext.Decode(orcpt)
            : orcpt[..semi].Trim() + "; " + Xtext.Decode(orcpt[(semi + 1)..].Trim());
    }

    /// <summary>"Name: value" in printable ASCII, folded before a space once a line passes 78 characters.</summary>
    public static void Field(StringBuilder sb, string name, string value)
    {
        string text = name + ": " + BounceNotice.Ascii7(value);
        int lineStart = 0;
        while (text.Length - lineStart > FoldAt)
        {
            // The space we cut before starts the continuation line; never cut inside "Name: ".
            int minCut = lineStart == 0 ? name.Length + 2 : lineStart + 1;
            int cut = text.LastIndexOf(' ', lineStart + FoldAt, lineStart + FoldAt - minCut + 1);
            if (cut < 0)
            {
                cut = text.IndexOf(' ', lineStart + FoldAt + 1);
                if (cut < 0)
                {
                    break;
                }
            }

            sb.Append(text, lineStart, cut - lineStart).Append("\r\n");
            lineStart = cut;
        }

        sb.Append(text, lineStart, text.Length - lineStart).Append("\r\n");
    }
}
