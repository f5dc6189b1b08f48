// NOTIFY= of RCPT TO (RFC 3461): when the recipient's sender wants a DSN.
// Behaviour reference: usr.sbin/smtpd/smtpd.h (DSN_SUCCESS and friends)
namespace Smtpd.Smtp;

[Flags]
internal enum DsnNotify
{
    None = 0,
    Success = 0x01,
    Failure = 0x02,
    Delay = 0x04,
    Never = 0x08,
}
