// RFC 3461 RET: how much of the message a DSN returns; None when the client did not say.
// Values match OpenSMTPD's enum dsn_ret. Behaviour reference: usr.sbin/smtpd/smtpd.h.
namespace Smtpd.Queue;

internal enum DsnRet
{
    None = 0,
    Full = 1,
    Hdrs = 2,
}
