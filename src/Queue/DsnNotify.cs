// RFC 3461 NOTIFY bits, stored as one decimal byte ("dsn-notify: 6").
// Behaviour reference: usr.sbin/smtpd/smtpd.h (DSN_SUCCESS...DSN_NEVER).
namespace Smtpd.Queue;

[Flags]
internal enum DsnNotify : byte
{
    None = 0,
    Success = 0x01,
    Failure = 0x02,
    Delay = 0x04,
    Never = 0x08,
}
