// MAIL FROM, RCPT TO and DATA up to the 354: the mail transaction and the host calls that back
// it (sender check, message creation, recipient expansion, opening the message file).
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (smtp_check_mail_from, smtp_check_rcpt_to,
// smtp_check_data, smtp_tx_mail_from, smtp_tx_rcpt_to, smtp_tx_open_message, smtp_session_imsg)
using Smtpd.Mime;

namespace Smtpd.Smtp;

internal sealed partial class SmtpSession
{
    internal bool CheckMailFrom(string? args)
    {
        if (Helo.Length == 0 || Transaction is not null)
        {
            return NotAllowed();
        }

        if (Options.StartTlsRequired && !Flags.HasFlag(SmtpSessionFlags.Secure))
        {
            Reply("530 " + InvalidCommand + ": Must issue a STARTTLS command first");
            return false;
        }

        if (Options.AuthRequired && !Flags.HasFlag(SmtpSessionFlags.Authenticated))
        {
            Reply("530 " + InvalidCommand + ": Must issue an AUTH command first");
            return false;
        }

        if (MailCount >= Options.MaxMails)
        {
            // Too many messages is reported the way too many recipients is.
            Reply("452 " + EnhancedStatus.ReplyText(EnhancedStatusClass.TempFail, EnhancedStatusCode.TooManyRecipients) + ": Too many messages sent");
            return false;
        }

        if (!MailAddressParser.TryParsePath(args, allowNull: true, ServerName, out _, out _))
        {
            ReplySenderSyntax();
            return false;
        }

        return true;
    }

    internal bool CheckRcptTo(string? args)
    {
        if (Transaction is null)
        {
            return NotAllowed();
        }

        if (Transaction.Recipients.Count >= Options.MaxRecipients)
        {
            ReplyTooManyRecipients();
            return false;
        }

        if (!MailAddressParser.TryParsePath(args, allowNull: false, ServerName, out _, out _))
        {
            ReplyRecipientSyntax();
            return false;
        }

        return true;
    }

    internal bool CheckData(string? args)
    {
        if (!CheckNoParam(args))
        {
            return false;
        }

        if (Transaction is null)
        {
            return NotAllowed();
        }

        if (Transaction.Recipients.Count == 0)
        {
            Reply("503 " + InvalidArguments + ": No recipient specified");
            return false;
        }

        return true;
    }

    internal async ValueTask ProceedMailFromAsync(string args, CancellationToken cancellationToken)
    {
        if (!MailAddressParser.TryParsePath(args, allowNull: true, ServerName, out MailAddress sender, out string rest))
        {
            ReplySenderSyntax();
            return;
        }

        if (!SmtpParameterParser.TryParseMailFrom(rest, Options.Dsn, out MailFromParameters parameters, out string? error))
        {
            Reply(error!);
            return;
        }

        if (parameters.Body == MailBody.SevenBit)
        {
            Flags &= ~SmtpSessionFlags.EightBitMime;
        }

        var tx = new SmtpTransaction(this, sender, parameters);
        Transaction = tx;
        switch (await _host.CheckSenderAsync(tx, cancellationToken))
        {
            case SmtpLookupResult.PermFail:
                await FreeTransactionAsync(rollback: false);
                Reply("530 Sender rejected");
                return;
            case SmtpLookupResult.TempFail:
                await FreeTransactionAsync(rollback: false);
                Reply("421 " + TempFailCode + " Temporary Error");
                return;
        }

        uint? msgid = await _host.CreateMessageAsync(tx, cancellationToken);
        if (msgid is null)
        {
            Reply("421 " + TempFailCode + " Temporary Error");
            await FreeTransactionAsync(rollback: false);
            EnterState(SmtpState.Quit);
            return;
        }

        tx.MsgId = msgid.Value;
        Reply("250 " + OkCode + " Ok");
    }

    internal async ValueTask ProceedRcptToAsync(string args, CancellationToken cancellationToken)
    {
        SmtpTransaction tx = Transaction!;
        if (tx.Recipients.Count >= Options.MaxRecipients)
        {
            ReplyTooManyRecipients();
            return;
        }

        if (!MailAddressParser.TryParsePath(args, allowNull: false, ServerName, out MailAddress rcpt, out string rest))
        {
            ReplyRecipientSyntax();
            return;
        }

        if (!SmtpParameterParser.TryParseRcptTo(rest, Options.Dsn, out RcptToParameters parameters, out string? error))
        {
            Reply(error!);
            return;
        }

        SmtpRecipientResult result = await _host.CheckRecipientAsync(tx, rcpt, parameters, cancellationToken);
        switch (result.Status)
        {
            case SmtpRecipientStatus.Accepted:
                tx.AddRecipient(new SmtpRecipient(rcpt, parameters, result.EvpId));
                Reply("250 " + EnhancedStatus.ReplyText(EnhancedStatusClass.Success, EnhancedStatusCode.DestinationAddressValid) + ": Recipient ok");
                break;
            case SmtpRecipientStatus.Rejected:
                Reply(result.Reply + ": <" + rcpt + ">");
                break;
            default:
                // An envelope of this recipient may already be stored; the transaction cannot be
                // trusted any more, so the whole session goes.
                Reply("421 " + TempFailCode + " Temporary failure");
                EnterState(SmtpState.Quit);
                break;
        }
    }

    internal async ValueTask ProceedDataAsync(CancellationToken cancellationToken)
    {
        SmtpTransaction tx = Transaction!;
        Stream? stream = await _host.OpenMessageAsync(tx, cancellationToken);
        if (stream is null)
        {
            Reply("421 " + TempFailCode + " Temporary Error");
            EnterState(SmtpState.Quit);
            return;
        }

        tx.Time = _time.GetUtcNow();
        string? masquerade = Options.Masquerade && Flags.HasFlag(SmtpSessionFlags.Authenticated) ? tx.Sender.User + "@" + tx.Sender.Domain : null;
        tx.Message = new SmtpMessageWriter(stream, new SmtpMessageOptions(Options.Hostname, Options.Local || Options.Port == 587, SmtpDate.Format(tx.Time, _time.LocalTimeZone), masquerade));
        Reply("354 Enter mail, end with \".\" on a line by itself");
        string headers = (_junk || tx.Junk ? "X-Spam: Yes\n" : string.Empty) + ReceivedHeader(tx);
        if (!await BeginDataFilterAsync(tx, headers, cancellationToken))
        {
            tx.Message.WriteRaw(headers);
        }

        // The line right after the DATA command counts as starting after a CRLF.
        _lastLineEndedInCrLf = true;
        _deadline?.Arm(Options.DataTimeout);
        EnterState(SmtpState.Body);
    }

    /// <summary>Ends the transaction; a created message is rolled back unless it was committed.</summary>
    private async ValueTask FreeTransactionAsync(bool rollback)
    {
        SmtpTransaction tx = Transaction!;
        Transaction = null;
        if (tx.DataFilter is not null)
        {
            await tx.DataFilter.DisposeAsync();
            tx.DataFilter = null;
        }

        if (tx.Message is not null)
        {
            tx.Message.Discard();
            try
            {
                await tx.Message.DisposeAsync();
            }
            catch (IOException)
            {
                // The message is being thrown away; a failing close changes nothing.
            }
        }

        if (rollback && tx.MsgId != 0)
        {
            string msgid = tx.MsgId.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
            Report("tx-rollback", msgid);
            Report("tx-reset", msgid);
            _host.RollbackMessage(tx);
        }
    }

    private void ReplySenderSyntax() =>
        Reply("553 " + EnhancedStatus.Format(EnhancedStatusClass.PermFail, EnhancedStatusCode.OtherAddressStatus) + " Sender address syntax error");

    private void ReplyRecipientSyntax() =>
        Reply("501 " + EnhancedStatus.Format(EnhancedStatusClass.PermFail, EnhancedStatusCode.BadDestinationMailboxAddressSyntax) + " Recipient address syntax error");

    private void ReplyTooManyRecipients() =>
        Reply("451 " + EnhancedStatus.ReplyText(EnhancedStatusClass.TempFail, EnhancedStatusCode.TooManyRecipients) + ": Too many recipients");
}
