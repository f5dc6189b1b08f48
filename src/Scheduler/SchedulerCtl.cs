// smtpctl's envelope commands in the scheduler (schedule, remove, pause envelope, resume
// envelope, answered with how many envelopes they touched), discover's envelopes from the queue,
// and the counters show stats and monitor read (scheduler.envelope, scheduler.delivery.*).
// Behaviour reference: usr.sbin/smtpd/scheduler.c (IMSG_CTL_SCHEDULE, _REMOVE, _PAUSE_EVP,
// _RESUME_EVP, IMSG_QUEUE_DISCOVER_EVPID, stat_increment/stat_decrement).
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Scheduler;

internal sealed partial class SchedulerProcess
{
    private long EnvelopeCommand(CtlEnvelopeCommand cmd)
    {
        string verb = cmd.Action switch
        {
            CtlEnvelopeAction.Schedule => "scheduling",
            CtlEnvelopeAction.Remove => "removing",
            CtlEnvelopeAction.Pause => "suspending",
            _ => "resuming",
        };
        Log.Debug(cmd.Id is > 0 and <= 0xffffffff ? $"debug: scheduler: {verb} msg:{cmd.Id:x8}" : $"debug: scheduler: {verb} evp:{cmd.Id:x16}");
        long n = 0;
        long now = Now;
        foreach (ulong evpid in Queue.Select(cmd.Id))
        {
            bool done = cmd.Action switch
            {
                CtlEnvelopeAction.Schedule => Queue.TrySchedule(evpid, now),
                CtlEnvelopeAction.Pause => Queue.Suspend(evpid),
                CtlEnvelopeAction.Resume => Queue.Unsuspend(evpid),
                _ => Remove(evpid),
            };
            n += done ? 1 : 0;
        }

        return n;
    }

    private bool Remove(ulong evpid)
    {
        if (!Queue.RemoveByAdmin(evpid, out bool now))
        {
            return false;
        }

        if (now)
        {
            Forgotten(evpid);
        }

        return true;
    }

    /// <summary>An envelope removed while its attempt ran, now that the attempt failed temporarily.</summary>
    private void RemoveNow(ulong evpid)
    {
        Queue.Remove(evpid);
        Forgotten(evpid);
    }

    private void Forgotten(ulong evpid)
    {
        Stat.Increment("scheduler.envelope.removed");
        Stat.Decrement("scheduler.envelope");
        Peers[ProcRole.Queue].PostAs(ImsgType.SchedulerRemove, new CtlId(evpid));
    }

    /// <summary>discover: an envelope found on disk is scheduled unless it is already.</summary>
    private void Discovered(ScheduleEntry entry)
    {
        if (Queue.Contains(entry.EvpId))
        {
            Log.Debug($"debug: scheduler: evp:{entry.EvpId:x16} already scheduled");
            return;
        }

        Log.Trace(TraceFlags.Scheduler, $"scheduler: discovering evp:{entry.EvpId:x16}");
        Queue.Insert(entry.EvpId, entry.Kind, entry.Creation, entry.Ttl, entry.Retry, Now, entry.Domain).LastBounce = entry.LastBounce;
        Stat.Increment("scheduler.envelope");
        Wake();
    }

    private void CountOutcome(DeliveryOutcome outcome)
    {
        if (!Queue.Contains(outcome.EvpId))
        {
            return;
        }

        Stat.Decrement("scheduler.envelope.inflight");
        switch (outcome.Status)
        {
            case DeliveryOutcomeStatus.TempFail:
                Stat.Increment("scheduler.delivery.tempfail");
                break;
            case DeliveryOutcomeStatus.Ok:
                Stat.Increment("scheduler.delivery.ok");
                Stat.Decrement("scheduler.envelope");
                break;
            case DeliveryOutcomeStatus.Loop:
                Stat.Increment("scheduler.delivery.loop");
                Stat.Decrement("scheduler.envelope");
                break;
            default:
                Stat.Increment("scheduler.delivery.permfail");
                Stat.Decrement("scheduler.envelope");
                break;
        }
    }
}
