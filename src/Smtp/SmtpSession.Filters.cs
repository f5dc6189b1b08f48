// Filtered listeners: before acting on a command (and at connect and commit) the session asks
// the host's filter chain, and proceeds, proceeds with a rewritten argument, marks the message as
// junk, or answers with the filter's reply instead. The session reports its events (link-*,
// tx-*, protocol-*) to the host, and when the chain filters message lines, the message goes
// through the host's data filter and what comes back is what is written to the spool.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (smtp_filter_phase, IMSG_FILTER_SMTP_PROTOCOL,
// smtp_reply's reports, smtp_tx_filtered_dataline, filter_session_io, smtp_report_*)
using System.Globalization;
using Smtpd.Mime;

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
                bool disconnect = result.Decision == SmtpFilterDecision.Disconnect || reply.StartsWith("421", StringComparison.Ordinal);
                ReportFilterResponse(phase, disconnect ? "disconnect" : "reject", reply);
                Reply(reply);
                if (disconnect)
                {
                    EnterState(SmtpState.Quit);
                }

                return (false, null);

            case SmtpFilterDecision.Junk:
                ReportFilterResponse(phase, "junk", null);
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
                ReportFilterResponse(phase, "rewrite", result.Parameter);
                return recheck is null || recheck(result.Parameter) ? (true, result.Parameter) : (false, null);

            default:
                ReportFilterResponse(phase, "proceed", null);
                return (true, args);
        }
    }

    /// <summary>The argument a command shows its filters: only these verbs have one.</summary>
    private static string? FilterArgument(SmtpCommand command, string? args) =>
        command is SmtpCommand.Helo or SmtpCommand.Ehlo or SmtpCommand.Auth or SmtpCommand.MailFrom or SmtpCommand.RcptTo ? args : null;

    /// <summary>valid_smtp_response, and a refusal: "4xx text" or "5xx text".</summary>
    private static bool IsFilterReply(string s) =>
        s.Length >= 5 && s[0] is '4' or '5' && char.IsAsciiDigit(s[1]) && char.IsAsciiDigit(s[2]) && s[3] == ' ';

    /// <summary>One report event of a filtered session (smtpd-filters(7) "report|"), fields in protocol 0.7 order.</summary>
    private void Report(string name, params string[] fields)
    {
        if (Options.Filtered)
        {
            _host.Report(this, name, fields);
        }
    }

    private void ReportFilterResponse(SmtpFilterPhase phase, string decision, string? parameter)
    {
        string name = phase switch
        {
            SmtpFilterPhase.Connect => "connected",
            SmtpFilterPhase.StartTls => "tls",
            SmtpFilterPhase.MailFrom => "mail-from",
            SmtpFilterPhase.RcptTo => "rcpt-to",
            SmtpFilterPhase.DataLine => "data-line",
            _ => phase.ToString().ToLowerInvariant(),
        };
        Report("filter-response", parameter is null ? [name, decision] : [name, decision, parameter]);
    }

    /// <summary>What smtp_reply reports besides the reply itself: the transaction's steps, by the command answered.</summary>
    private void ReportReply(string text)
    {
        Report("protocol-server", text);
        SmtpTransaction? tx = Transaction;
        if (tx is null)
        {
            return;
        }

        string msgid = tx.MsgId.ToString("x8", CultureInfo.InvariantCulture);
        string result = text[0] switch
        {
            '2' or '3' => "ok",
            '4' => "tempfail",
            _ => "permfail",
        };
        if (text[0] is '3' && LastCommand == SmtpCommand.Data)
        {
            Report("tx-data", msgid, result);
        }
        else if (text[0] is '2' or '4' or '5')
        {
            switch (LastCommand)
            {
                case SmtpCommand.MailFrom:
                    if (text[0] == '2')
                    {
                        Report("tx-begin", msgid);
                    }

                    Report("tx-mail", msgid, result, AngleAddress(_command));
                    break;
                case SmtpCommand.RcptTo:
                    Report("tx-rcpt", msgid, result, AngleAddress(_command));
                    break;
                case SmtpCommand.Data when text[0] != '2' && tx.Recipients.Count > 0:
                    Report("tx-data", msgid, result);
                    break;
            }
        }
    }

    /// <summary>The address between the first angle brackets of a MAIL FROM or RCPT TO line.</summary>
    private static string AngleAddress(string line)
    {
        int open = line.IndexOf('<');
        int close = open < 0 ? -1 : line.IndexOf('>', open);
        return close < 0 ? string.Empty : line[(open + 1)..close];
    }

    private static string FcrdnsText(Ipc.Messages.FcrdnsResult r) => r switch
    {
        Ipc.Messages.FcrdnsResult.Pass => "pass",
        Ipc.Messages.FcrdnsResult.Fail => "fail",
        _ => "error",
    };

    /// <summary>
    /// After the 354 of a filtered session: asks the host whether message lines are filtered,
    /// and if so starts reading the filtered lines back. The headers we add go through the
    /// filters too, as OpenSMTPD prints them into the filter's stream.
    /// </summary>
    private async ValueTask<bool> BeginDataFilterAsync(SmtpTransaction tx, string headers, CancellationToken cancellationToken)
    {
        if (!Options.Filtered)
        {
            return false;
        }

        ISmtpDataFilter? filter = await _host.OpenDataFilterAsync(tx, cancellationToken);
        if (filter is null)
        {
            return false;
        }

        tx.DataFilter = filter;
        foreach (string line in headers.TrimEnd('\n').Split('\n'))
        {
            filter.WriteLine(System.Text.Encoding.Latin1.GetBytes(line));
        }

        tx.FilteredBack = ReadFilteredLinesAsync(tx, filter);
        return true;
    }

    /// <summary>
    /// Writes what the filters send back into the message, as smtp_tx_dataline takes client
    /// lines: dot-unstuffed, through the header checks. True once the final "." came back;
    /// false when the filters went away first (the message is then refused temporarily).
    /// </summary>
    private static async Task<bool> ReadFilteredLinesAsync(SmtpTransaction tx, ISmtpDataFilter filter)
    {
        while (true)
        {
            byte[]? line = await filter.ReadLineAsync();
            if (line is null)
            {
                return false;
            }

            if (line is [(byte)'.'])
            {
                return true;
            }

            if (tx.Error != SmtpTxError.None || tx.Message is null)
            {
                continue;
            }

            ReadOnlySpan<byte> span = line;
            if (span.Length > 0 && span[0] == (byte)'.')
            {
                span = span[1..];
            }

            SmtpTxError error = tx.Message.WriteLine(span);
            if (error != SmtpTxError.None)
            {
                tx.Error = error;
            }
            else if (tx.Message.NeedsFlush)
            {
                try
                {
                    await tx.Message.FlushAsync(CancellationToken.None);
                }
                catch (IOException)
                {
                    tx.Error = SmtpTxError.Io;
                }
            }
        }
    }

    /// <summary>The client's "." came: pass it on and wait until every filtered line is back.</summary>
    private static async ValueTask EndDataFilterAsync(SmtpTransaction tx, CancellationToken cancellationToken)
    {
        ISmtpDataFilter filter = tx.DataFilter!;
        bool complete;
        try
        {
            filter.WriteLine("."u8);
            await filter.FlushAsync(cancellationToken);
            complete = await tx.FilteredBack!;
        }
        catch (IOException)
        {
            complete = false;
        }

        if (!complete && tx.Error == SmtpTxError.None)
        {
            tx.Error = SmtpTxError.Filter;
        }

        await filter.DisposeAsync();
        tx.DataFilter = null;
    }

    private static string FilterFailedReply =>
        "451 " + EnhancedStatus.Format(EnhancedStatusClass.TempFail, EnhancedStatusCode.OtherMailSystemStatus) + " Temporary failure: message filter unavailable, try again later";
}
