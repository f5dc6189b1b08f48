// The verbs the session knows, in the order of OpenSMTPD's commands[] table. Unknown is every
// other line, VRFY and EXPN included: OpenSMTPD does not implement them and says so.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (enum smtp_command)
namespace Smtpd.Smtp;

internal enum SmtpCommand
{
    Unknown = -1,
    Helo = 0,
    Ehlo,
    StartTls,
    Auth,
    MailFrom,
    RcptTo,
    Data,
    Rset,
    Quit,
    Help,
    Wiz,
    Noop,
    Commit,
}
