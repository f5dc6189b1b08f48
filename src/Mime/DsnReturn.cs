// How much of the original message a failure report carries back (RFC 3461 RET=HDRS|FULL).
// Behaviour reference: usr.sbin/smtpd/smtpd.h (enum dsn_ret)
namespace Smtpd.Mime;

internal enum DsnReturn
{
    Headers,
    Full,
}
