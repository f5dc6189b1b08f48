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
                bool known = Queue.Contains(entry.EvpId);
                Queue.Insert(entry.EvpId, entry.Kind, entry.Creation, entry.Ttl, entry.Retry, Now, entry.Domain).LastBounce = entry.LastBounce;
                if (!known)
                {
                    Stat.Increment("scheduler.envelope");
                }

                Wake();
                break;
            case ImsgType.QueueDiscovered when from == ProcRole.Queue:
                Discovered(msg.ReadAs<ScheduleEntry>());
                break;
            case ImsgType.SchedulerDeliveryResult when from == ProcRole.Queue:
                var outcome = msg.ReadAs<DeliveryOutcome>();
                CountOutcome(outcome);
                if (outcome.Status == DeliveryOutcomeStatus.TempFail && Queue.IsRemovePending(outcome.EvpId))
                {
                    // Removed by the administrator during the attempt: now it goes.
                    RemoveNow(outcome.EvpId);
                }
                else if (outcome.Status == DeliveryOutcomeStatus.TempFail)
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
            case ImsgType.MtaSchedule when from == ProcRole.Queue:
                // A host of the envelope's domain works again: try it now rather than after its backoff.
                if (Queue.ScheduleNow(msg.Read<MtaSchedule>().EvpId, Now))
                {
                    Wake();
                }

                break;
            case ImsgType.CtlShowQueue when from == ProcRole.Control:
                ListEnvelopes(msg.PeerId);
                break;
            case ImsgType.ConfigReload when from == ProcRole.Parent:
                Reconfigure(Config.ConfigSerializer.Deserialize(msg.ReadAs<SetupConfig>().Blob));
                break;
            case ImsgType.CtlEnvelopeCommand when from == ProcRole.Control:
                Peers[ProcRole.Control].Post(new CtlCount(EnvelopeCommand(msg.Read<CtlEnvelopeCommand>())), peerId: msg.PeerId);
                Wake();
                break;
            case ImsgType.CtlPauseMda or ImsgType.CtlPauseMta when from == ProcRole.Control:
                Log.Trace(TraceFlags.Scheduler, $"scheduler: pausing {(msg.Type == ImsgType.CtlPauseMda ? "mda" : "mta")}");
                Queue.Pause(msg.Type == ImsgType.CtlPauseMda ? DeliveryKind.Mda : DeliveryKind.Mta);
                break;
            case ImsgType.CtlResumeMda or ImsgType.CtlResumeMta when from == ProcRole.Control:
                Log.Trace(TraceFlags.Scheduler, $"scheduler: resuming {(msg.Type == ImsgType.CtlResumeMda ? "mda" : "mta")}");
                Queue.Resume(msg.Type == ImsgType.CtlResumeMda ? DeliveryKind.Mda : DeliveryKind.Mta);
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

    /// <summary>`smtpctl show queue`: every envelope's run state, in batches, to the queue, which answers control.</summary>
    private void ListEnvelopes(uint client)
    {
        const int Batch = 1000;
        var batch = new List<EnvelopeRunState>(Batch);
        foreach (var e in Queue.All.OrderBy(e => e.EvpId))
        {
            batch.Add(new EnvelopeRunState(e.EvpId, e.InFlight, e.Held, e.Next));
            if (batch.Count == Batch)
            {
                Peers[ProcRole.Queue].Post(new CtlEnvelopeStates(false, batch), peerId: client);
                batch = new List<EnvelopeRunState>(Batch);
            }
        }

        Peers[ProcRole.Queue].Post(new CtlEnvelopeStates(true, batch), peerId: client);
    }
}
