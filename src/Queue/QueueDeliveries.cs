// A delivery's way out of the queue: the scheduler names an envelope, the queue loads it, opens
// the message read-only and hands both to the dispatcher; the outcome comes back here and
// removes the envelope, or records the attempt for the next one.
// Behaviour reference: usr.sbin/smtpd/queue.c (IMSG_SCHED_ENVELOPE_DELIVER, IMSG_MDA_DELIVERY_*).
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Queue;

internal sealed partial class QueueProcess
{
    private const byte Ok = 0;
    private const byte TempFail = 1;

    private void StartDelivery(ScheduleEntry entry)
    {
        var evpid = new EvpId(entry.EvpId);
        var load = Backend.EnvelopeLoad(evpid, out var e);
        if (!load.IsOk || e is null)
        {
            Log.Warn($"warn: queue: cannot load envelope {evpid}: {load}");
            ReportToScheduler(new DeliveryOutcome(entry.EvpId, load.Status == QueueStatus.TempFail ? TempFail : (byte)2, load.ToString()));
            return;
        }

        if (e.Type != EnvelopeType.Mda)
        {
            // Relaying and bounces arrive with the mta work; until then they wait and retry.
            Fail(e, "relaying is not available yet");
            return;
        }

        var open = Backend.MessageOpenRead(evpid.MsgId, out var fd);
        if (!open.IsOk || fd is null)
        {
            Fail(e, "cannot open message: " + open);
            return;
        }

        var req = new DeliveryRequest(e.Id.Value, e.Dispatcher, e.Sender.IsEmpty ? string.Empty : e.Sender.ToString(), e.Rcpt.ToString(), e.Dest.ToString(), e.MdaUser, e.MdaSubaddress, e.CreationTime);
        Peers[ProcRole.Dispatcher].PostAs(ImsgType.QueueDeliver, req, fd: fd);
    }

    private void DeliveryDone(DeliveryOutcome outcome)
    {
        var evpid = new EvpId(outcome.EvpId);
        if (outcome.Status == TempFail)
        {
            if (Backend.EnvelopeLoad(evpid, out var e).IsOk && e is not null)
            {
                Fail(e, outcome.ErrorLine);
                return;
            }
        }
        else
        {
            // Delivered, or failed for good (bounces come with the mta work): the envelope is done.
            var r = Backend.EnvelopeDelete(evpid);
            if (!r.IsOk)
            {
                Log.Warn($"warn: queue: cannot remove envelope {evpid}: {r}");
            }
        }

        ReportToScheduler(outcome);
    }

    private void Expire(DeliveryOutcome outcome)
    {
        var evpid = new EvpId(outcome.EvpId);
        Log.Info($"{evpid} queue expire evpid={evpid} reason=\"{outcome.ErrorLine}\"");
        Backend.EnvelopeDelete(evpid);
    }

    /// <summary>A temporary failure: count the attempt and keep the reason in the envelope, for smtpctl and the next run.</summary>
    private void Fail(Envelope e, string reason)
    {
        e.Retry++;
        e.LastTry = Now;
        e.ErrorLine = reason.Replace('\n', ' ').Replace('\r', ' ');
        var r = Backend.EnvelopeUpdate(e);
        if (!r.IsOk)
        {
            Log.Warn($"warn: queue: cannot update envelope {e.Id}: {r}");
        }

        ReportToScheduler(new DeliveryOutcome(e.Id.Value, TempFail, reason));
    }

    private void ReportToScheduler(DeliveryOutcome outcome) =>
        Peers[ProcRole.Scheduler].PostAs(ImsgType.SchedulerDeliveryResult, outcome);
}
