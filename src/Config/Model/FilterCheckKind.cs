// The conditions a builtin filter can test.
// Behaviour reference: usr.sbin/smtpd/parse.y (filter_phase_check_*).
namespace Smtpd.Config;

// The numbers are part of the serialized configuration (ConfigSerializer): append, never renumber.
internal enum FilterCheckKind
{
    Fcrdns = 0,
    Rdns = 1,
    Src = 2,
    Helo = 3,
    Auth = 4,
    MailFrom = 5,
    RcptTo = 6,
}
