// A message's way into the queue: created at MAIL FROM, its body descriptor handed to the
// dispatcher at DATA, one envelope per accepted destination, then the commit that makes it all
// durable before the client hears 250 — and only then does the scheduler learn of it.
// Behaviour reference: usr.sbin/smtpd/queue.c (IMSG_SMTP_MESSAGE_*, IMSG_QUEUE_ENVELOPE_SUBMIT).
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Queue;

internal sealed partial class QueueProcess
{
    private void MessageCreate(ImsgChannel dispatcher, MsgRequest req)
    {
        if (_space?.HasRoom() == false || Monkey.Fails("queue message create"))
        {
            dispatcher.PostAs(ImsgType.QueueMessageCreateReply, req with { Ok = false });
            return;
        }

        var r = Backend.MessageCreate(out var msgid, out var body);
        if (!r.IsOk || body is null)
        {
            Log.Warn($"warn: queue: message create failed: {r}");
            dispatcher.PostAs(ImsgType.QueueMessageCreateReply, req with { Ok = false });
            return;
        }

        _bodies[msgid.Value] = body;
        dispatcher.PostAs(ImsgType.QueueMessageCreateReply, req with { MsgId = msgid.Value, Ok = true });
    }

    private void EnvelopeSubmit(ImsgChannel dispatcher, EnvelopeSubmit s)
    {
        var e = new Envelope
        {
            Dispatcher = s.Dispatcher,
            Tag = s.Tag,
            Type = s.Relay ? EnvelopeType.Mta : EnvelopeType.Mda,
            SmtpName = s.SmtpName,
            Helo = s.Helo,
            Hostname = s.Hostname,
            Username = s.AuthUser,
            SockAddr = s.SockAddr,
            Sender = s.Sender.Length == 0 ? MailAddr.Empty : MailAddr.Parse(s.Sender),
            Rcpt = MailAddr.Parse(s.Rcpt),
            Dest = MailAddr.Parse(s.Dest),
            MdaUser = s.MdaUser,
            MdaSubaddress = s.Subaddress,
            MdaExec = s.MdaExec,
            Ttl = _actionTtls.TryGetValue(s.Dispatcher, out long actionTtl) ? actionTtl : _ttl,
            // Local enqueues count as authenticated, and carry the bounce flag, as smtp_session.c marks them.
            Flags = s.SockAddr == EnvelopeSockAddr.Local ? EnvelopeFlags.Authenticated | EnvelopeFlags.Bounce
                : s.AuthUser.Length > 0 ? EnvelopeFlags.Authenticated : EnvelopeFlags.None,
            DsnNotify = s.DsnNotify,
            DsnRet = s.DsnRet,
            DsnEnvId = s.DsnEnvId,
            DsnOrcpt = s.DsnOrcpt,
        };
        // A recipient named twice (or a thousand times) in one transaction is delivered, and
        // reported on, once: the copy shares the first envelope (Postfix's duplicate filter).
        if (QueueDuplicates.Find(_envelopes.GetValueOrDefault(s.MsgId), e) is { } first)
        {
            dispatcher.PostAs(ImsgType.QueueEnvelopeSubmitReply, new EvpReply(s.ReqId, first.Id.Value, true));
            return;
        }

        var r = Backend.EnvelopeCreate(new MsgId(s.MsgId), e);
        if (!r.IsOk)
        {
            Log.Warn($"warn: queue: envelope submit for msg:{s.MsgId:x8} failed: {r}");
        }
        else
        {
            // Kept for the scheduler, which learns of them once the commit is durable.
            if (!_envelopes.TryGetValue(s.MsgId, out var list))
            {
                _envelopes[s.MsgId] = list = [];
            }

            list.Add(e);
        }

        dispatcher.PostAs(ImsgType.QueueEnvelopeSubmitReply, new EvpReply(s.ReqId, r.IsOk ? e.Id.Value : 0, r.IsOk));
    }

    /// <summary>
    /// Starts a commit. It runs on the commit thread, batched with the commits of concurrent
    /// sessions so that they share their syncs (a serial queue would cap every client at one
    /// commit latency). Only the commit itself leaves the loop: a message being committed is
    /// touched by nothing else (its rollback waits, see RollbackAsync), and the codec's cipher is
    /// not thread-safe, so a transforming queue commits on the loop.
    /// </summary>
    private void MessageCommit(ImsgChannel dispatcher, MsgCommit commitRequest)
    {
        var req = new MsgRequest(commitRequest.ReqId, commitRequest.MsgId);
        var msgid = new MsgId(req.MsgId);
        if (Monkey.Fails("queue commit"))
        {
            MessageCommitted(dispatcher, req, QueueResult.TempFail(Interop.Errno.EIO, "monkey"));
            return;
        }

        if (Backend.TransformsBodies)
        {
            MessageCommitted(dispatcher, req, Backend.MessageCommit(msgid, commitRequest.BodyLength));
            return;
        }

        var commit = Committer.Commit(msgid, commitRequest.BodyLength);
        _commits[req.MsgId] = commit;
        _ = CompleteAsync();

        async Task CompleteAsync()
        {
            var r = await commit;
            _commits.Remove(req.MsgId);
            MessageCommitted(dispatcher, req, r);
        }
    }

    private async ValueTask RollbackAsync(MsgRequest req)
    {
        if (_commits.TryGetValue(req.MsgId, out var commit))
        {
            await commit;
        }

        if (_bodies.Remove(req.MsgId, out var unused))
        {
            unused.Dispose();
        }

        _envelopes.Remove(req.MsgId);

        Backend.MessageDelete(new MsgId(req.MsgId));
    }

    private void MessageCommitted(ImsgChannel dispatcher, MsgRequest req, QueueResult r)
    {
        var msgid = new MsgId(req.MsgId);
        _envelopes.Remove(req.MsgId, out var envelopes);
        if (!r.IsOk)
        {
            Log.Warn($"warn: queue: commit of msg:{req.MsgId:x8} failed: {r}");
            Backend.MessageDelete(msgid);
            dispatcher.PostAs(ImsgType.QueueMessageCommitReply, req with { Ok = false });
            return;
        }

        // The reply goes first: the 250 must not wait for the scheduler.
        dispatcher.PostAs(ImsgType.QueueMessageCommitReply, req with { Ok = true });
        if (envelopes is not null)
        {
            foreach (var e in envelopes)
            {
                Schedule(e);
            }

            return;
        }

        // Not submitted through this process run (cannot happen today): read them back.
        foreach (var entry in Backend.MessageWalk(msgid))
        {
            if (entry.Envelope is not null)
            {
                Schedule(entry.Envelope);
            }
        }
    }
}
