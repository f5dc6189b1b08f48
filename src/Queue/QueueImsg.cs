// The queue role's one message switch: transactions from the dispatcher (create, open, submit,
// commit, rollback), delivery starts from the scheduler, delivery outcomes from the dispatcher.
// Behaviour reference: usr.sbin/smtpd/queue.c queue_imsg().
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Queue;

internal sealed partial class QueueProcess
{
    public override ValueTask DispatchAsync(ProcRole from, Imsg msg)
    {
        Monkey.Delay();
        var peer = Peers[from];
        switch (msg.Type)
        {
            case ImsgType.QueueMessageCreate when from == ProcRole.Dispatcher:
                MessageCreate(peer, msg.ReadAs<MsgRequest>());
                break;
            case ImsgType.QueueMessageOpen when from == ProcRole.Dispatcher:
                var open = msg.ReadAs<MsgRequest>();
                bool have = _bodies.Remove(open.MsgId, out var body);
                peer.PostAs(ImsgType.QueueMessageOpenReply, open with { Ok = have }, fd: body);
                break;
            case ImsgType.QueueDeliveryOpen when from == ProcRole.Dispatcher:
                var read = msg.ReadAs<MsgRequest>();
                var opened = Backend.MessageOpenRead(new MsgId(read.MsgId), out var message);
                if (!opened.IsOk)
                {
                    Log.Warn($"warn: queue: cannot open message {read.MsgId:x8} for delivery: {opened}");
                }

                peer.PostAs(ImsgType.QueueDeliveryOpenReply, read with { Ok = opened.IsOk && message is not null }, fd: opened.IsOk ? message : null);
                break;
            case ImsgType.QueueEnvelopeSubmit when from == ProcRole.Dispatcher:
                EnvelopeSubmit(peer, msg.Read<EnvelopeSubmit>());
                break;
            case ImsgType.QueueMessageCommit when from == ProcRole.Dispatcher:
                MessageCommit(peer, msg.Read<MsgCommit>());
                break;
            case ImsgType.QueueMessageRollback when from == ProcRole.Dispatcher:
                return RollbackAsync(msg.ReadAs<MsgRequest>());
            case ImsgType.SchedulerDeliver when from == ProcRole.Scheduler:
                StartDelivery(msg.ReadAs<ScheduleEntry>());
                break;
            case ImsgType.QueueDeliveryResult when from == ProcRole.Dispatcher:
                DeliveryDone(msg.ReadAs<DeliveryOutcome>());
                break;
            case ImsgType.MtaSchedule when from == ProcRole.Dispatcher:
                Peers[ProcRole.Scheduler].Post(msg.Read<MtaSchedule>());
                break;
            case ImsgType.MtaDeliveryResult when from == ProcRole.Dispatcher:
                var relayed = msg.Read<MtaOutcome>();
                DeliveryDone(new DeliveryOutcome(relayed.EvpId, relayed.Status, relayed.ErrorLine), relayed.RemoteMta);
                break;
            case ImsgType.SchedulerBounce when from == ProcRole.Scheduler:
                DelayWarning(msg.ReadAs<DelayWarning>());
                break;
            case ImsgType.SchedulerDeliveryResult when from == ProcRole.Scheduler:
                Expire(msg.ReadAs<DeliveryOutcome>());
                break;
            case ImsgType.SchedulerRemove when from == ProcRole.Scheduler:
                RemovedByAdmin(msg.ReadAs<CtlId>().Id);
                break;
            case ImsgType.CtlDiscover when from == ProcRole.Control:
                Discover(msg.ReadAs<CtlId>().Id, msg.PeerId);
                break;
            case ImsgType.CtlEnvelopeStates when from == ProcRole.Scheduler:
                ListEnvelopes(msg.Read<CtlEnvelopeStates>(), msg.PeerId);
                break;
            default:
                if (!DispatchCommon(peer, msg))
                {
                    Unexpected(from, msg);
                }

                break;
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>`smtpctl show queue`: the lines of the envelopes the scheduler listed, to control; gone ones are skipped.</summary>
    private void ListEnvelopes(CtlEnvelopeStates states, uint client)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var text = new System.Text.StringBuilder();
        foreach (var s in states.States)
        {
            if (Backend.EnvelopeLoad(new EvpId(s.EvpId), out var envelope) == QueueResult.Ok && envelope is not null)
            {
                envelope.Id = new EvpId(s.EvpId);
                text.Append(Ctl.QueueEnvelopeLine.Format(envelope, s.InFlight, s.Suspended, s.Time, now)).Append('\n');
            }
        }

        Peers[ProcRole.Control].Post(new CtlQueueLines(states.Last, text.ToString()), peerId: client);
    }
}
