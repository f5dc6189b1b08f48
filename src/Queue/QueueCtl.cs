// smtpctl in the queue: envelopes the administrator removed (the scheduler forgot them first)
// lose their file with a log line, and discover schedules envelopes found on disk.
// Behaviour reference: usr.sbin/smtpd/queue.c (IMSG_SCHED_ENVELOPE_REMOVE, queue_log,
// IMSG_CTL_DISCOVER_EVPID, IMSG_CTL_DISCOVER_MSGID).
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Queue;

internal sealed partial class QueueProcess
{
    private void RemovedByAdmin(ulong id)
    {
        var evpid = new EvpId(id);
        if (!Backend.EnvelopeLoad(evpid, out var e).IsOk || e is null)
        {
            return;
        }

        e.Id = evpid;
        string rcpt = e.Rcpt.ToString() == e.Dest.ToString() ? "-" : e.Rcpt.ToString();
        long delay = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - e.CreationTime;
        Log.Info($"{(e.Type == EnvelopeType.Mda ? "delivery" : "relay")}: Remove for {evpid}: from=<{e.Sender}>, to=<{e.Dest}>, rcpt=<{rcpt}>, delay={Mime.DurationText.Of(delay)}, stat=Removed by administrator");
        var r = Backend.EnvelopeDelete(evpid);
        if (!r.IsOk)
        {
            Log.Warn($"warn: queue: cannot remove envelope {evpid}: {r}");
        }
    }

    /// <summary>discover ID: the envelope (or every envelope of the message) on disk goes to the scheduler; the count to control.</summary>
    private void Discover(ulong id, uint client)
    {
        long n = 0;
        if (id > 0xffffffff)
        {
            var evpid = new EvpId(id);
            if (Backend.EnvelopeLoad(evpid, out var e).IsOk && e is not null)
            {
                e.Id = evpid;
                Discovered(e);
                n++;
            }
            else
            {
                Log.Warn($"queue: discover: failed to load envelope {evpid}");
            }
        }
        else
        {
            foreach (var entry in Backend.MessageWalk(new MsgId((uint)id)))
            {
                if (entry.Envelope is { } e)
                {
                    Discovered(e);
                    n++;
                }
            }
        }

        Peers[ProcRole.Control].Post(new CtlCount(n), peerId: client);
    }

    private void Discovered(Envelope e) =>
        Scheduler.PostAs(ImsgType.QueueDiscovered, new ScheduleEntry(e.Id.Value, (DeliveryKind)e.Type, e.CreationTime, e.Ttl, e.Retry, e.LastBounce, e.Dest.Domain));
}
