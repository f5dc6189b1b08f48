// The host's answer to one RCPT TO: the recipient expanded into envelopes (the last envelope's
// id is what the log shows), or refused with a reply line such as "550 Invalid recipient" (the
// session appends ": <user@domain>"), or the queue failed to store an envelope, which costs the
// whole session as in OpenSMTPD.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (IMSG_SMTP_EXPAND_RCPT, IMSG_QUEUE_ENVELOPE_COMMIT),
// usr.sbin/smtpd/lka_session.c (lka_resume)
namespace Smtpd.Smtp;

internal readonly record struct SmtpRecipientResult(SmtpRecipientStatus Status, ulong EvpId, string Reply)
{
    public static SmtpRecipientResult Accepted(ulong evpId) => new(SmtpRecipientStatus.Accepted, evpId, string.Empty);

    /// <summary>A refusal; <paramref name="reply"/> is "CODE text", e.g. "550 Invalid recipient" or "451 Temporary failure".</summary>
    public static SmtpRecipientResult Rejected(string reply) => new(SmtpRecipientStatus.Rejected, 0, reply);

    public static SmtpRecipientResult EnvelopeFailed() => new(SmtpRecipientStatus.EnvelopeFailed, 0, string.Empty);
}
