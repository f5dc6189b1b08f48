// How a message is rewritten on its way into the spool: the domain for addresses without one,
// whether Date and Message-ID are added when missing (local enqueue and port 587), the date to
// add, and the address that replaces From on masquerading listeners.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (smtp_tx_dataline RFC5322_END_OF_HEADERS)
namespace Smtpd.Smtp;

internal sealed record SmtpMessageOptions(string Hostname, bool AddMissingHeaders, string Date, string? Masquerade)
{
    public static readonly SmtpMessageOptions Plain = new("localhost", false, string.Empty, null);
}
