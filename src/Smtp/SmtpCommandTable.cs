// The verbs the session understands, one row each, in OpenSMTPD's order. "MAIL FROM" and
// "RCPT TO" are verbs with a space, split at the colon; every other verb ends at the first space.
// "." is listed as OpenSMTPD lists it (its commit phase) but, like any unlisted verb, is answered
// "Command unrecognized" when it arrives as a command.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (commands[], smtp_command)
namespace Smtpd.Smtp;

internal static class SmtpCommandTable
{
    public static readonly SmtpCommandRow[] Rows =
    [
        new(SmtpCommand.Helo, SmtpFilterPhase.Helo, "HELO", static (s, a) => s.CheckHelo(a), static (s, a, ct) => s.ProceedHeloAsync(a)),
        new(SmtpCommand.Ehlo, SmtpFilterPhase.Ehlo, "EHLO", static (s, a) => s.CheckEhlo(a), static (s, a, ct) => s.ProceedEhloAsync(a)),
        new(SmtpCommand.StartTls, SmtpFilterPhase.StartTls, "STARTTLS", static (s, a) => s.CheckStartTls(a), static (s, a, ct) => s.ProceedStartTlsAsync()),
        new(SmtpCommand.Auth, SmtpFilterPhase.Auth, "AUTH", static (s, a) => s.CheckAuth(a), static (s, a, ct) => s.ProceedAuthAsync(a!, ct)),
        new(SmtpCommand.MailFrom, SmtpFilterPhase.MailFrom, "MAIL FROM", static (s, a) => s.CheckMailFrom(a), static (s, a, ct) => s.ProceedMailFromAsync(a!, ct)),
        new(SmtpCommand.RcptTo, SmtpFilterPhase.RcptTo, "RCPT TO", static (s, a) => s.CheckRcptTo(a), static (s, a, ct) => s.ProceedRcptToAsync(a!, ct)),
        new(SmtpCommand.Data, SmtpFilterPhase.Data, "DATA", static (s, a) => s.CheckData(a), static (s, a, ct) => s.ProceedDataAsync(ct)),
        new(SmtpCommand.Rset, SmtpFilterPhase.Rset, "RSET", static (s, a) => s.CheckRset(a), static (s, a, ct) => s.ProceedRsetAsync()),
        new(SmtpCommand.Quit, SmtpFilterPhase.Quit, "QUIT", static (s, a) => s.CheckNoParam(a), static (s, a, ct) => s.ProceedQuitAsync()),
        new(SmtpCommand.Noop, SmtpFilterPhase.Noop, "NOOP", static (s, a) => true, static (s, a, ct) => s.ProceedNoopAsync()),
        new(SmtpCommand.Help, SmtpFilterPhase.Help, "HELP", static (s, a) => s.CheckNoParam(a), static (s, a, ct) => s.ProceedHelpAsync()),
        new(SmtpCommand.Wiz, SmtpFilterPhase.Wiz, "WIZ", static (s, a) => s.CheckNoParam(a), static (s, a, ct) => s.ProceedWizAsync()),
        new(SmtpCommand.Commit, SmtpFilterPhase.Commit, ".", static (s, a) => s.CheckNoParam(a), static (s, a, ct) => ValueTask.CompletedTask),
    ];

    /// <summary>The row whose verb equals <paramref name="verb"/> ignoring ASCII case (strcasecmp), or null.</summary>
    public static SmtpCommandRow? Find(ReadOnlySpan<char> verb)
    {
        foreach (SmtpCommandRow row in Rows)
        {
            if (System.Text.Ascii.EqualsIgnoreCase(verb, row.Verb))
            {
                return row;
            }
        }

        return null;
    }

    /// <summary>
    /// Splits a command line into verb and arguments as smtp_command does. Arguments are null when
    /// there is no separator, and may be empty ("HELO " has empty, not missing, arguments).
    /// </summary>
    public static (string Verb, string? Args) Split(string line)
    {
        int separator = line.StartsWith("MAIL FROM:", StringComparison.OrdinalIgnoreCase) || line.StartsWith("RCPT TO:", StringComparison.OrdinalIgnoreCase)
            ? line.IndexOf(':', StringComparison.Ordinal)
            : line.IndexOf(' ', StringComparison.Ordinal);
        if (separator < 0)
        {
            return (line, null);
        }

        int start = separator + 1;
        while (start < line.Length && IsCSpace(line[start]))
        {
            start++;
        }

        return (line[..separator], line[start..]);
    }

    /// <summary>isspace(3) in the C locale.</summary>
    public static bool IsCSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';
}
