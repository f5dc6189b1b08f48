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
            Ttl = _ttl,
            Flags = s.AuthUser.Length > 0 ? EnvelopeFlags.Authenticated : EnvelopeFlags.None,
            DsnNotify = (DsnNotify)s.DsnNotify,
            DsnRet = (DsnRet)s.DsnRet,
            DsnEnvId = s.DsnEnvId,
            DsnOrcpt = s.DsnOrcpt,
        };
        var r = Backend.EnvelopeCreate(new MsgId(s.MsgId), e);
        if (!r.IsOk)
        {
            Log.Warn($"warn: queue: envelope submit for msg:{s.MsgId:x8} failed: {r}");
        }

        dispatcher.PostAs(ImsgType.QueueEnvelopeSubmitReply, new EvpReply(s.ReqId, r.IsOk ? e.Id.Value : 0, r.IsOk));
    }

    private void MessageCommit(ImsgChannel dispatcher, MsgRequest req)
    {
        var msgid = new MsgId(req.MsgId);
        var r = Backend.MessageCommit(msgid);
        if (!r.IsOk)
        {
            Log.Warn($"warn: queue: commit of msg:{req.MsgId:x8} failed: {r}");
            Backend.MessageDelete(msgid);
            dispatcher.PostAs(ImsgType.QueueMessageCommitReply, req with { Ok = false });
            return;
        }

        // The reply goes first: the 250 must not wait for the scheduler.
        dispatcher.PostAs(ImsgType.QueueMessageCommitReply, req with { Ok = true });
        foreach (var entry in Backend.MessageWalk(msgid))
        {
            if (entry.Envelope is not null)
            {
                Schedule(entry.Envelope);
            }
        }
    }
}
