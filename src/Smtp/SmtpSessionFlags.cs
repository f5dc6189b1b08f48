// What a session has established so far, independent of its state.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (enum session_flags)
namespace Smtpd.Smtp;

[Flags]
internal enum SmtpSessionFlags
{
    None = 0,
    Ehlo = 0x0001,
    EightBitMime = 0x0002,
    Secure = 0x0004,
    Authenticated = 0x0008,
    Bounce = 0x0010,
    Verified = 0x0020,
    BadInput = 0x0080,
}
