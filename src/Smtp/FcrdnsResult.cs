// Whether the client's reverse name resolves back to its address (forward-confirmed rDNS).
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (smtp_getnameinfo_cb, smtp_getaddrinfo_cb)
namespace Smtpd.Smtp;

internal enum FcrdnsResult
{
    Error = -1,
    Fail = 0,
    Pass = 1,
}
