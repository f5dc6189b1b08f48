// The states of an smtp-in session. Most rules look at what the client has done (HELO given, a
// transaction open) rather than at the state; the state says what the next input line means.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (enum smtp_state)
namespace Smtpd.Smtp;

internal enum SmtpState
{
    New = 0,
    Connected,
    Tls,
    Helo,
    AuthInit,
    AuthUsername,
    AuthPassword,
    AuthFinalize,
    Body,
    Quit,
}
