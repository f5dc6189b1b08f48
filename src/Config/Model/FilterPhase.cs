// The SMTP phases a builtin filter can act on.
// Behaviour reference: usr.sbin/smtpd/parse.y (filter_phase).
namespace Smtpd.Config;

// The numbers are part of the serialized configuration (ConfigSerializer): append, never renumber.
internal enum FilterPhase
{
    Connect = 0,
    Helo = 1,
    Ehlo = 2,
    Auth = 3,
    MailFrom = 4,
    RcptTo = 5,
    Data = 6,
    Commit = 7,
}
