// RET= of MAIL FROM (RFC 3461): how much of the message a DSN carries back.
// Behaviour reference: usr.sbin/smtpd/smtpd.h (enum dsn_ret)
namespace Smtpd.Smtp;

internal enum DsnRet
{
    None = 0,
    Full = 1,
    Headers = 2,
}
