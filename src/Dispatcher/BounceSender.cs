// Sends bounces: one RFC 3464 report per batch of bounce envelopes (see BounceBatch), with the
// original message, enqueued as a new message from the null sender and routed by the ruleset like mail from
// a local client (as OpenSMTPD's bounce.c does through its internal SMTP session). The bounce
// envelope is done only once the report is safely committed.
// Behaviour reference: usr.sbin/smtpd/bounce.c.
using Microsoft.Win32.SafeHandles;
using Smtpd.Interop;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Mime;
using Smtpd.Runtime;

namespace Smtpd.Dispatcher;

internal sealed class BounceSender
{
    private readonly ImsgChannel _lka;
    private readonly ImsgChannel _queue;
    private readonly ImsgRequests<ImsgReply> _requests;
    private readonly string _hostname;

    // Reports waiting for their message's other envelopes (see BounceBatch).
    private readonly Dictionary<(uint, BounceType, bool, string, bool, string, long, long, long), BounceBatch> _batches = [];

    public BounceSender(ImsgChannel lka, ImsgChannel queue, ImsgRequests<ImsgReply> requests, string hostname)
    {
        _lka = lka;
        _queue = queue;
        _requests = requests;
        _hostname = hostname;
    }

    /// <summary>Takes one bounce envelope: it joins its message's pending report, or starts one that is sent shortly.</summary>
    public Task SendAsync(BounceRequest req, SafeFd? original)
    {
        if (original is null)
        {
            Log.Warn($"warn: bounce: cannot send report for evp:{req.EvpId:x16} to <{req.To}>: no message descriptor");
            _queue.PostAs(ImsgType.QueueDeliveryResult, new DeliveryOutcome(req.EvpId, DeliveryOutcomeStatus.TempFail, "no message descriptor"));
            return Task.CompletedTask;
        }

        var key = BounceBatch.KeyOf(req);
        var now = DateTime.UtcNow;
        if (_batches.TryGetValue(key, out var batch))
        {
            // The report reads the original through the first envelope's descriptor.
            original.Dispose();
            batch.Add(req, now);
            if (batch.IsFull)
            {
                _batches.Remove(key);
            }

            return Task.CompletedTask;
        }

        batch = new BounceBatch(req, original, now);
        _batches[key] = batch;
        return SendWhenDueAsync(key, batch);
    }

    private async Task SendWhenDueAsync((uint, BounceType, bool, string, bool, string, long, long, long) key, BounceBatch batch)
    {
        while (!batch.IsFull)
        {
            var wait = batch.Due - DateTime.UtcNow;
            if (wait <= TimeSpan.Zero)
            {
                break;
            }

            await Task.Delay(wait);
        }

        if (_batches.TryGetValue(key, out var current) && ReferenceEquals(current, batch))
        {
            _batches.Remove(key);
        }

        string? error;
        using (batch.Original)
        {
            error = await TrySendAsync(batch);
        }

        var req = batch.First;
        if (error is not null)
        {
            Log.Warn($"warn: bounce: cannot send report for msg:{req.EvpId >> 32:x8} ({batch.EnvelopeIds.Count} envelopes) to <{req.To}>: {error}");
        }

        foreach (ulong evpid in batch.EnvelopeIds)
        {
            _queue.PostAs(ImsgType.QueueDeliveryResult, new DeliveryOutcome(evpid, error is null ? DeliveryOutcomeStatus.Ok : DeliveryOutcomeStatus.TempFail, error ?? "bounced"));
        }
    }

    private async Task<string?> TrySendAsync(BounceBatch batch)
    {
        var req = batch.First;
        var original = batch.Original;
        var report = new BounceReport
        {
            // The queue sends only OpenSMTPD's three kinds; anything else reports a failure.
            // A success report naming a remote MTA is for mail handed to a peer without DSN: "relayed".
            Type = req.Kind == BounceType.Delivered && req.RemoteMta.Length > 0 ? BounceType.Relayed
                : req.Kind is BounceType.Delayed or BounceType.Delivered ? req.Kind : BounceType.Failed,
            ReportingMta = _hostname,
            To = req.To,
            Date = DateTimeOffset.Now,
            ArrivalDate = DateTimeOffset.FromUnixTimeSeconds(req.Arrival).ToLocalTime(),
            EnvelopeId = req.EnvId.Length > 0 ? req.EnvId : null,
            Return = req.ReturnFull ? DsnRet.Full : DsnRet.Headers,
            Delay = TimeSpan.FromSeconds(req.Delay),
            Expiry = TimeSpan.FromSeconds(req.Ttl),
            Recipients = [.. batch.Listed.Select(Recipient)],
        };

        var text = new MemoryStream();
        await using (var input = new FileStream(new SafeFileHandle(original.Release(), ownsHandle: true), FileAccess.Read, 64 * 1024))
        {
            await BounceBuilder.WriteAsync(report, input, text);
        }

        // The queue stores messages with Unix line ends, whatever the wire said.
        byte[] body = ToUnixLineEnds(text.GetBuffer().AsSpan(0, (int)text.Length));

        var (cid, created) = _requests.Start();
        _queue.PostAs(ImsgType.QueueMessageCreate, new MsgRequest(cid, 0));
        var msg = (await created).Reply.ReadAs<MsgRequest>();
        if (!msg.Ok)
        {
            return "queue: message create failed";
        }

        string? failure = await FillAsync(req, msg.MsgId, body);
        if (failure is not null)
        {
            _queue.PostAs(ImsgType.QueueMessageRollback, new MsgRequest(0, msg.MsgId));
            return failure;
        }

        return null;
    }

    private async Task<string?> FillAsync(BounceRequest req, uint msgid, byte[] body)
    {
        var (eid, expanded) = _requests.Start();
        _lka.Post(new LkaExpandRcpt(eid, null, "local", "localhost", _hostname, null, false, string.Empty, req.To));
        var expand = (await expanded).Reply.Read<LkaExpandReply>();
        if (expand.Status != ExpandStatus.Accepted)
        {
            return $"recipient refused: {expand.Reply}";
        }

        foreach (var d in expand.Deliveries)
        {
            var (sid, submitted) = _requests.Start();
            _queue.Post(new EnvelopeSubmit(sid, msgid, d.Dispatcher, d.Relay, string.Empty, _hostname, _hostname, "localhost", string.Empty, "local", string.Empty, req.To, d.Dest, d.User, d.Subaddress, DsnNotify.None, DsnRet.None, string.Empty, string.Empty));
            if (!(await submitted).Reply.ReadAs<EvpReply>().Ok)
            {
                return "queue: envelope submit failed";
            }
        }

        var (oid, opened) = _requests.Start();
        _queue.PostAs(ImsgType.QueueMessageOpen, new MsgRequest(oid, msgid));
        var (openReply, fd) = await opened;
        if (!openReply.ReadAs<MsgRequest>().Ok || fd is null)
        {
            fd?.Dispose();
            return "queue: message open failed";
        }

        try
        {
            await using var output = new FileStream(new SafeFileHandle(fd.Release(), ownsHandle: true), FileAccess.Write, 64 * 1024);
            await output.WriteAsync(body);
        }
        catch (IOException e)
        {
            return "writing the report: " + e.Message;
        }

        var (kid, committed) = _requests.Start();
        _queue.Post(new MsgCommit(kid, msgid, body.Length));
        return (await committed).Reply.ReadAs<MsgRequest>().Ok ? null : "queue: commit failed";
    }

    private static BounceRecipient Recipient(BounceRequest r) => new()
    {
        FinalRecipient = r.FailedRecipient,
        OriginalRecipient = r.OriginalRecipient.Length > 0 ? r.OriginalRecipient : null,
        Status = EnhancedStatus.TryParse(r.Status, out var status) ? status : EnhancedStatus.FromReply(r.ErrorLine),
        ErrorLine = r.ErrorLine,
        // Relayed mail: the peer's host and its very reply (RFC 3464 2.3.5, 2.3.6).
        RemoteMta = r.RemoteMta.Length > 0 ? r.RemoteMta : null,
        DiagnosticCode = r.RemoteMta.Length > 0 ? r.ErrorLine : null,
    };

    private static byte[] ToUnixLineEnds(ReadOnlySpan<byte> crlf)
    {
        var output = new byte[crlf.Length];
        int n = 0;
        for (int i = 0; i < crlf.Length; i++)
        {
            if (crlf[i] == (byte)'\r' && i + 1 < crlf.Length && crlf[i + 1] == (byte)'\n')
            {
                continue;
            }

            output[n++] = crlf[i];
        }

        return output.AsSpan(0, n).ToArray();
    }
}
