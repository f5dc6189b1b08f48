// The message body: end-of-data detection, dot-unstuffing, size accounting, the Received
// header, and the final reply. Only CRLF "." CRLF ends the data: a "." line ended by a bare LF,
// or following a line ended by a bare LF, is message content (SMTP smuggling protection; where
// OpenSMTPD ends data at any "." line). Bare LF otherwise ends a line, as in OpenSMTPD, and a bare
// CR inside a line is kept; the message file gets LF line ends either way.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (smtp_io STATE_BODY, smtp_tx_dataline,
// smtp_message_begin, smtp_message_end, IMSG_SMTP_MESSAGE_COMMIT)
using System.Globalization;
using System.Text;
using Smtpd.Mime;

namespace Smtpd.Smtp;

internal sealed partial class SmtpSession
{
    /// <summary>Takes one line of message data; true when it was the end-of-data marker.</summary>
    private bool DataLine(ReadOnlySpan<byte> line, bool endsWithCrLf)
    {
        SmtpTransaction tx = Transaction!;
        bool afterCrLf = _lastLineEndedInCrLf;
        _lastLineEndedInCrLf = endsWithCrLf;
        if (line.Length == 1 && line[0] == (byte)'.' && endsWithCrLf && afterCrLf)
        {
            return true;
        }

        tx.DataIn += line.Length + 1;
        if (tx.DataIn > Options.MaxMessageSize)
        {
            // Oversize wins over any earlier error, as in OpenSMTPD; the rest is read and dropped.
            tx.Error = SmtpTxError.Size;
        }

        if (tx.Error != SmtpTxError.None)
        {
            return false;
        }

        if (tx.DataFilter is not null)
        {
            // Filters see the line as it came, dot-stuffed; what they send back is unstuffed.
            tx.DataFilter.WriteLine(line);
            return false;
        }

        if (line.Length > 0 && line[0] == (byte)'.')
        {
            line = line[1..];
        }

        SmtpTxError error = tx.Message!.WriteLine(line);
        if (error != SmtpTxError.None)
        {
            tx.Error = error;
        }

        return false;
    }

    private async ValueTask FlushBodyAsync(CancellationToken cancellationToken)
    {
        SmtpTransaction tx = Transaction!;
        if (tx.DataFilter is not null)
        {
            try
            {
                await tx.DataFilter.FlushAsync(cancellationToken);
            }
            catch (IOException)
            {
                tx.Error = SmtpTxError.Filter;
            }
        }

        if (tx.Error != SmtpTxError.None)
        {
            tx.Message!.Discard();
            return;
        }

        try
        {
            await tx.Message!.FlushAsync(cancellationToken);
        }
        catch (IOException)
        {
            tx.Error = SmtpTxError.Io;
        }
    }

    private async ValueTask EndOfMessageAsync(CancellationToken cancellationToken)
    {
        SmtpTransaction tx = Transaction!;
        if (_host.TraceEnabled)
        {
            _host.Trace(SmtpLog.TraceInput(Id, "[EOM]"));
        }

        Report("protocol-client", ".");
        if (tx.DataFilter is not null)
        {
            await EndDataFilterAsync(tx, cancellationToken);
        }

        (bool proceed, _) = await FilterAsync(SmtpFilterPhase.Commit, null, recheck: null, cancellationToken);
        if (!proceed)
        {
            if (_state != SmtpState.Quit)
            {
                await FreeTransactionAsync(rollback: true);
                EnterState(SmtpState.Helo);
            }

            return;
        }

        if (tx.Error == SmtpTxError.None)
        {
            try
            {
                tx.Message!.End();
                await tx.Message.CompleteAsync(cancellationToken);
                await tx.Message.DisposeAsync();
            }
            catch (IOException)
            {
                tx.Error = SmtpTxError.Io;
            }
        }

        if (tx.Error == SmtpTxError.None)
        {
            await CommitAsync(tx, cancellationToken);
            return;
        }

        Reply(tx.Error switch
        {
            SmtpTxError.Size => "554 " + EnhancedStatus.ReplyText(EnhancedStatusClass.PermFail, EnhancedStatusCode.MessageTooBigForSystem) + ": Transaction failed, message too big",
            SmtpTxError.Loop => "500 " + EnhancedStatus.ReplyText(EnhancedStatusClass.PermFail, EnhancedStatusCode.RoutingLoopDetected) + ": Loop detected",
            SmtpTxError.Malformed => "550 " + EnhancedStatus.ReplyText(EnhancedStatusClass.PermFail, EnhancedStatusCode.DeliveryNotAuthorizedMessageRefused) + ": Message is not RFC 2822 compliant",
            SmtpTxError.Io or SmtpTxError.Resources => "421 " + TempFailCode + " Temporary Error",
            SmtpTxError.Filter => FilterFailedReply,
            _ => "421 Internal server error",
        });
        await FreeTransactionAsync(rollback: true);
        EnterState(SmtpState.Helo);
    }

    private async ValueTask CommitAsync(SmtpTransaction tx, CancellationToken cancellationToken)
    {
        if (!await _host.CommitMessageAsync(tx, cancellationToken))
        {
            Reply("421 " + TempFailCode + " Temporary failure");
            await FreeTransactionAsync(rollback: false);
            EnterState(SmtpState.Quit);
            return;
        }

        Reply("250 " + OkCode + " " + tx.MsgId.ToString("x8", CultureInfo.InvariantCulture) + " Message accepted for delivery");
        _host.Log(SmtpLog.Message(Id, tx.MsgId, tx.OutputLength, tx.Recipients.Count, Flags.HasFlag(SmtpSessionFlags.Ehlo)));
        foreach (SmtpRecipient rcpt in tx.Recipients)
        {
            _host.Log(SmtpLog.Envelope(Id, rcpt.EvpId, tx.Sender, rcpt.Address));
        }

        string msgid = tx.MsgId.ToString("x8", CultureInfo.InvariantCulture);
        Report("tx-commit", msgid, tx.OutputLength.ToString(CultureInfo.InvariantCulture));
        Report("tx-reset", msgid);
        Transaction = null;
        MailCount++;
        EnterState(SmtpState.Helo);
    }

    /// <summary>The trace header prepended to every message, in OpenSMTPD's exact layout.</summary>
    private string ReceivedHeader(SmtpTransaction tx)
    {
        var sb = new StringBuilder("Received: ", 256);
        if (!Options.MaskSource)
        {
            sb.Append("from ").Append(Helo).Append(" (").Append(Rdns).Append(' ').Append(BracketedAddress).Append(')');
        }

        sb.Append("\n\tby ").Append(ServerName).Append(" (OpenSMTPD) with ")
            .Append(Flags.HasFlag(SmtpSessionFlags.Ehlo) ? "E" : string.Empty).Append("SMTP")
            .Append(Flags.HasFlag(SmtpSessionFlags.Secure) ? "S" : string.Empty)
            .Append(Flags.HasFlag(SmtpSessionFlags.Authenticated) ? "A" : string.Empty)
            .Append(" id ").Append(tx.MsgId.ToString("x8", CultureInfo.InvariantCulture));
        if (Flags.HasFlag(SmtpSessionFlags.Secure) && Tls is not null)
        {
            sb.Append(" (").Append(Tls.Ciphers).Append(':').Append(Flags.HasFlag(SmtpSessionFlags.Verified) ? "YES" : "NO").Append(')');
            if (Options.ReceivedAuth)
            {
                sb.Append(" auth=").Append(Username.Length != 0 ? "yes" : "no");
                if (Username.Length != 0)
                {
                    sb.Append(" user=").Append(Username);
                }
            }
        }

        if (tx.Recipients.Count == 1)
        {
            MailAddress rcpt = tx.Recipients[0].Address;
            sb.Append("\n\tfor <").Append(rcpt.User).Append('@').Append(rcpt.Domain).Append('>');
        }

        sb.Append(";\n\t").Append(SmtpDate.Format(tx.Time, _time.LocalTimeZone)).Append('\n');
        return sb.ToString();
    }
}
