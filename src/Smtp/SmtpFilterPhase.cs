// The points where a filtered session asks the filter chain before acting, in smtpd.h's order
// (the values travel over IPC to the lookup agent, never renumber).
// Behaviour reference: usr.sbin/smtpd/smtpd.h (enum filter_phase)
namespace Smtpd.Smtp;

internal enum SmtpFilterPhase
{
    Connect = 0,
    Helo,
    Ehlo,
    StartTls,
    Auth,
    MailFrom,
    RcptTo,
    Data,
    DataLine,
    Rset,
    Quit,
    Noop,
    Help,
    Wiz,
    Commit,
}
