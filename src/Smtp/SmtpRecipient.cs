// One accepted RCPT TO of a transaction, with the id of the (last) envelope it became.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (struct smtp_rcpt)
namespace Smtpd.Smtp;

internal sealed record SmtpRecipient(MailAddress Address, RcptToParameters Parameters, ulong EvpId);
