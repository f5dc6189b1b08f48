// Filtered listeners: before acting on a command (and at connect and commit) the session asks
// the host's filter chain, and proceeds, proceeds with a rewritten argument, marks the message as
// junk, or answers with the filter's reply instead. Message lines are not sent through filters.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (smtp_filter_phase, IMSG_FILTER_SMTP_PROTOCOL)
namespace Smtpd.Smtp;

internal sealed partial class SmtpSession
{
    // Junk decided before MAIL FROM marks every message of the session.
    private bool _junk;

    /// <summary>
    /// Runs one filter phase. Returns whether to go on and with which argument; when the filters
    /// answered instead, the reply has been queued (and the session may be quitting).
    /// </summary>
    private async ValueTask<(bool Proceed, string? Args)> FilterAsync(SmtpFilterPhase phase, string? args, Func<string, bool>? recheck, CancellationToken cancellationToken)
    {
        if (!Options.Filtered)
        {
            return (true, args);
        }

        SmtpFilterResult result = await _host.FilterAsync(this, phase, args ?? string.Empty, cancellationToken);
        switch (result.Decision)
        {
            case SmtpFilterDecision.Reject or SmtpFilterDecision.Disconnect:
                string reply = IsFilterReply(result.Parameter) ? result.Parameter : "421 Internal server error";
                Reply(reply);
                if (result.Decision == SmtpFilterDecision.Disconnect || reply.StartsWith("421", StringComparison.Ordinal))
                {
                    EnterState(SmtpState.Quit);
                }

                return (false, null);

            case SmtpFilterDecision.Junk:
                if (Transaction is not null)
                {
                    Transaction.Junk = true;
                }
                else
                {
                    _junk = true;
                }

                return (true, args);

            case SmtpFilterDecision.Rewrite:
                return recheck is null || recheck(result.Parameter) ? (true, result.Parameter) : (false, null);

            default:
                return (true, args);
        }
    }

    /// <summary>The argument a command shows its filters: only these verbs have one.</summary>
    private static string? FilterArgument(SmtpCommand command, string? args) =>
        command is SmtpCommand.Helo or SmtpCommand.Ehlo or SmtpCommand.Auth or SmtpCommand.MailFrom or SmtpCommand.RcptTo ? args : null;

    /// <summary>valid_smtp_response, and a refusal: "4xx text" or "5xx text".</summary>
    private static bool IsFilterReply(string s) =>
        s.Length >= 5 && s[0] is '4' or '5' && char.IsAsciiDigit(s[1]) && char.IsAsciiDigit(s[2]) && s[3] == ' ';
}
