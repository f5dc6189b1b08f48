// The scheduler's one message switch: new envelopes from the queue, and how attempts ended
// (every answer frees the envelope's in-flight slots).
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Scheduler;

internal sealed partial class SchedulerProcess
{
    public override ValueTask DispatchAsync(ProcRole from, Imsg msg)
    {
        switch (msg.Type)
        {
            case ImsgType.SchedulerEnvelopeNew when from == ProcRole.Queue:
                var entry = msg.ReadAs<ScheduleEntry>();
                Queue.Insert(entry.EvpId, (DeliveryKind)entry.Kind, entry.Creation, entry.Ttl, entry.Retry, Now, entry.Domain).LastBounce = entry.LastBounce;
                Wake();
                break;
            case ImsgType.SchedulerDeliveryResult when from == ProcRole.Queue:
                var outcome = msg.ReadAs<DeliveryOutcome>();
                if (outcome.Status == 1)
                {
                    Queue.TempFail(outcome.EvpId, Now);
                    if (Queue.DueWarning(outcome.EvpId, _warnIntervals) is { } w)
                    {
                        Peers[ProcRole.Queue].PostAs(ImsgType.SchedulerBounce, new DelayWarning(outcome.EvpId, w.Timestamp, w.Delay));
                    }
                }
                else
                {
                    Queue.Remove(outcome.EvpId);
                }

                Wake();
                break;
            default:
                if (!DispatchCommon(Peers[from], msg))
                {
                    Unexpected(from, msg);
                }

                break;
        }

        return ValueTask.CompletedTask;
    }
}
