// BODY= of MAIL FROM (RFC 6152). OpenSMTPD takes 7BIT and 8BITMIME and converts nothing.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (smtp_tx_mail_from)
namespace Smtpd.Smtp;

internal enum MailBody
{
    Unspecified = 0,
    SevenBit,
    EightBitMime,
}
