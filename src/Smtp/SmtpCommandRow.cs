// One row of the command table: the verb as the client spells it, the filter phase it passes
// through on filtered listeners, a synchronous check that only validates and replies on failure,
// and the asynchronous action taken when the check (and the filters) passed.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (commands[])
namespace Smtpd.Smtp;

internal sealed record SmtpCommandRow(
    SmtpCommand Command,
    SmtpFilterPhase Phase,
    string Verb,
    Func<SmtpSession, string?, bool> Check,
    Func<SmtpSession, string?, CancellationToken, ValueTask> Proceed);
