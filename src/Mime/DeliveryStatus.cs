// The message/delivery-status body of a report (RFC 3464 section 2): per-message fields, then one
// group per recipient. Values are printable ASCII; MimeKit folds the long ones.
// Behaviour reference: usr.sbin/smtpd/bounce.c (the "Delivery Report" part)
using MimeKit;

namespace Smtpd.Mime;

internal static class DeliveryStatus
{
    public static void Fill(HeaderListCollection groups, BounceReport report, string host)
    {
        // Field order follows the ABNF of RFC 3464 section 2.2 and 2.3.
        var perMessage = new HeaderList();
        if (!string.IsNullOrEmpty(report.EnvelopeId))
        {
            Field(perMessage, "Original-Envelope-Id", Xtext.Decode(report.EnvelopeId));
        }

        Field(perMessage, "Reporting-MTA", "dns; " + host);

        if (report.ArrivalDate is { } arrival)
        {
            Field(perMessage, "Arrival-Date", MessageDate.Format(arrival));
        }

        groups.Add(perMessage);

        foreach (var rcpt in report.Recipients)
        {
            var group = new HeaderList();
            if (!string.IsNullOrEmpty(rcpt.OriginalRecipient))
            {
                Field(group, "Original-Recipient", TypedAddress(rcpt.OriginalRecipient));
            }

            Field(group, "Final-Recipient", "rfc822; " + rcpt.FinalRecipient);

            Field(group, "Action", BounceBuilder.ActionText(report.Type));
            Field(group, "Status", rcpt.Status.ToString());
            if (!string.IsNullOrEmpty(rcpt.RemoteMta))
            {
                Field(group, "Remote-MTA", "dns; " + rcpt.RemoteMta);
            }

            if (!string.IsNullOrEmpty(rcpt.DiagnosticCode))
            {
                Field(group, "Diagnostic-Code", rcpt.DiagnosticType + "; " + rcpt.DiagnosticCode);
            }

            if (rcpt.LastAttemptDate is { } last)
            {
                Field(group, "Last-Attempt-Date", MessageDate.Format(last));
            }

            if (report.Type == BounceType.Delayed && report.ArrivalDate is { } since && report.Expiry > TimeSpan.Zero)
            {
                Field(group, "Will-Retry-Until", MessageDate.Format(since + report.Expiry));
            }

            groups.Add(group);
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

    private static void Field(HeaderList group, string name, string value) =>
        group.Add(new Header(name, BounceNotice.Ascii7(value)));
}
