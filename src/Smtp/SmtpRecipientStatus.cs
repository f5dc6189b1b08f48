// The kinds of answer to a RCPT TO; see SmtpRecipientResult.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (IMSG_SMTP_EXPAND_RCPT)
namespace Smtpd.Smtp;

internal enum SmtpRecipientStatus
{
    Accepted,
    Rejected,
    EnvelopeFailed,
}
