// NOTIFY= of RCPT TO (RFC 3461): when the recipient's sender wants a DSN. One definition for the
// session that parses it, the IPC message that carries it and the envelope that stores it as one
// decimal byte ("dsn-notify: 6"); the values are OpenSMTPD's and frozen (WireEnumStabilityTests).
// Behaviour reference: usr.sbin/smtpd/smtpd.h (DSN_SUCCESS...DSN_NEVER).
namespace Smtpd.Mime;

[Flags]
internal enum DsnNotify : byte
{
    None = 0,
    Success = 0x01,
    Failure = 0x02,
    Delay = 0x04,
    Never = 0x08,
}
