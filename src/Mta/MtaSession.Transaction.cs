// One message on an open session: MAIL, a RCPT per recipient (pipelined when the peer offers
// PIPELINING), DATA, the body CRLF-terminated and dot-stuffed with the final dot in the same
// write as its last bytes, then the peer's verdict: one reply for all (SMTP) or one per accepted
// recipient (LMTP). A failed transaction is reset so the next message can use the session.
// Behaviour reference: usr.sbin/smtpd/mta_session.c (MTA_MAIL, MTA_RCPT, MTA_DATA, MTA_BODY,
// MTA_EOM, MTA_LMTP_EOM, mta_getdata), RFC 2920, RFC 3461 section 4.
using Smtpd.Ipc.Messages;
using Smtpd.Mime;

namespace Smtpd.Mta;

internal sealed partial class MtaSession
{
    /// <summary>An envelope's end: the verdict and the reply (or our reason) for the log and the queue.</summary>
    public delegate void Report(MtaDeliverRequest envelope, DeliveryOutcomeStatus status, string stat);

    /// <summary>
    /// Sends <paramref name="task"/>'s message from <paramref name="body"/> (the queue's copy, LF
    /// line ends). Every envelope is reported, except when the connection fails: those left are
    /// the caller's to report (the exception says why). Returns whether the session is still usable.
    /// </summary>
    public async Task<bool> DeliverAsync(MtaTask task, Stream body, long size, bool eightBit, Report report)
    {
        var mail = new System.Text.StringBuilder("MAIL FROM:<").Append(task.Sender).Append('>');
        var first = task.Envelopes[0];
        if (_caps.Size && size > 0)
        {
            mail.Append(" SIZE=").Append(size);
        }

        if (_caps.EightBitMime && eightBit)
        {
            mail.Append(" BODY=8BITMIME");
        }

        // Addresses in UTF-8 (RFC 6531) are announced to a peer that offers SMTPUTF8.
        if (_caps.SmtpUtf8 && (!System.Text.Ascii.IsValid(task.Sender) || task.Envelopes.Any(e => !System.Text.Ascii.IsValid(e.Dest))))
        {
            mail.Append(" SMTPUTF8");
        }

        if (_caps.Dsn)
        {
            if (first.DsnRet != DsnRet.None)
            {
                mail.Append(" RET=").Append(first.DsnRet == DsnRet.Full ? "FULL" : "HDRS");
            }

            if (first.DsnEnvId.Length > 0)
            {
                mail.Append(" ENVID=").Append(first.DsnEnvId);
            }
        }

        _conn.Queue(mail.ToString());
        if (!_caps.Pipelining)
        {
            await _conn.FlushAsync();
            var m = await _conn.ReadReplyAsync();
            if (m.Class != '2')
            {
                FailAll(task, m, report);
                return await ResetAsync();
            }
        }

        var accepted = new List<MtaDeliverRequest>();
        foreach (var e in task.Envelopes)
        {
            _conn.Queue(RcptCommand(e));
            if (!_caps.Pipelining)
            {
                await _conn.FlushAsync();
                var r = await _conn.ReadReplyAsync();
                Rcpt(e, r);
            }
        }

        MtaReply data;
        if (_caps.Pipelining)
        {
            // DATA closes the group (RFC 2920): one round trip for MAIL, every RCPT and DATA.
            _conn.Queue("DATA");
            await _conn.FlushAsync();
            var m = await _conn.ReadReplyAsync();
            var replies = new List<MtaReply>();
            foreach (var _ in task.Envelopes)
            {
                replies.Add(await _conn.ReadReplyAsync());
            }

            data = await _conn.ReadReplyAsync();
            if (m.Class != '2')
            {
                FailAll(task, m, report);
                return await AbandonDataAsync(data);
            }

            for (int i = 0; i < task.Envelopes.Count; i++)
            {
                Rcpt(task.Envelopes[i], replies[i]);
            }

            if (accepted.Count == 0)
            {
                return await AbandonDataAsync(data);
            }
        }
        else
        {
            if (accepted.Count == 0)
            {
                return await ResetAsync();
            }

            _conn.Queue("DATA");
            await _conn.FlushAsync();
            data = await _conn.ReadReplyAsync();
        }

        if (data.Code != 354)
        {
            foreach (var e in accepted)
            {
                Done(task, e, data, report);
            }

            return await ResetAsync();
        }

        await SendBodyAsync(body);
        if (Lmtp)
        {
            foreach (var e in accepted)
            {
                Done(task, e, await _conn.ReadReplyAsync(), report);
            }
        }
        else
        {
            var eom = await _conn.ReadReplyAsync();
            foreach (var e in accepted)
            {
                Done(task, e, eom, report);
            }
        }

        Messages++;
        return true;

        void Rcpt(MtaDeliverRequest e, MtaReply r)
        {
            if (r.Class == '2')
            {
                accepted.Add(e);
            }
            else
            {
                Done(task, e, r, report);
            }
        }
    }

    private string RcptCommand(MtaDeliverRequest e)
    {
        var rcpt = new System.Text.StringBuilder("RCPT TO:<").Append(e.Dest).Append('>');
        if (_caps.Dsn)
        {
            if (e.DsnNotify != DsnNotify.None)
            {
                rcpt.Append(" NOTIFY=").Append(NotifyText(e.DsnNotify));
            }

            if (e.DsnOrcpt.Length > 0)
            {
                rcpt.Append(" ORCPT=").Append(e.DsnOrcpt);
            }
        }

        return rcpt.ToString();
    }

    private static void Done(MtaTask task, MtaDeliverRequest e, MtaReply r, Report report)
    {
        if (task.Reported.Add(e.EvpId))
        {
            var status = r.Class == '2' ? DeliveryOutcomeStatus.Ok : r.IsPermanent ? DeliveryOutcomeStatus.PermFail : DeliveryOutcomeStatus.TempFail;
            report(e, status, r.Text);
        }
    }

    private static void FailAll(MtaTask task, MtaReply r, Report report)
    {
        foreach (var e in task.Envelopes)
        {
            Done(task, e, r, report);
        }
    }

    /// <summary>
    /// A pipelined DATA whose transaction has no recipient left: a peer that still said 354 gets
    /// an empty message, whose verdict is ignored (no recipient is left for it to deliver to); then RSET.
    /// </summary>
    private async Task<bool> AbandonDataAsync(MtaReply data)
    {
        if (data.Code == 354)
        {
            _conn.Queue(".");
            await _conn.FlushAsync();
            await _conn.ReadReplyAsync();
        }

        return await ResetAsync();
    }

    /// <summary>RSET after a failed transaction; false when the peer does not take it (the session is then closed).</summary>
    private async Task<bool> ResetAsync()
    {
        _conn.Queue("RSET");
        await _conn.FlushAsync();
        return (await _conn.ReadReplyAsync()).Class == '2';
    }

    /// <summary>
    /// The message as stored (LF line ends) on the wire: CRLF line ends, a dot doubled at the
    /// start of a line (RFC 5321 section 4.5.2), a last line without its end completed, and the
    /// final ".\r\n" in the same write as the last bytes.
    /// </summary>
    private async Task SendBodyAsync(Stream body)
    {
        var buf = new byte[64 * 1024];
        bool lineStart = true;
        bool lastWasLf = true;
        byte prev = 0;
        int n;
        while ((n = await body.ReadAsync(buf)) > 0)
        {
            int start = 0;
            for (int i = 0; i < n; i++)
            {
                byte b = buf[i];
                if (lineStart && b == (byte)'.')
                {
                    _conn.QueueBytes(buf.AsSpan(start, i - start));
                    _conn.QueueBytes("."u8);
                    start = i;
                }

                if (b == (byte)'\n')
                {
                    // A CR already before the LF (also across reads) is kept, not doubled.
                    bool hadCr = (i > 0 ? buf[i - 1] : prev) == (byte)'\r';
                    _conn.QueueBytes(buf.AsSpan(start, i - start));
                    _conn.QueueBytes(hadCr ? "\n"u8 : "\r\n"u8);
                    start = i + 1;
                    lineStart = true;
                }
                else
                {
                    lineStart = false;
                }
            }

            _conn.QueueBytes(buf.AsSpan(start, n - start));
            prev = buf[n - 1];
            lastWasLf = prev == (byte)'\n';
            if (_conn.Buffered >= 64 * 1024)
            {
                await _conn.FlushAsync();
            }
        }

        if (!lastWasLf)
        {
            _conn.QueueBytes("\r\n"u8);
        }

        _conn.QueueBytes(".\r\n"u8);
        await _conn.FlushAsync();
    }
}
