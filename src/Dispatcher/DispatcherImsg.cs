// The dispatcher's one message switch: replies to the requests its sessions made, deliveries the
// queue starts (handed to the parent, which runs them as the user), and how they ended.
// Behaviour reference: usr.sbin/smtpd/dispatcher.c, mda.c.
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Dispatcher;

internal sealed partial class DispatcherProcess
{
    private readonly Dictionary<ulong, (DeliveryRequest Request, ulong SessionId)> _deliveries = [];

    public override ValueTask DispatchAsync(ProcRole from, Imsg msg)
    {
        switch (msg.Type)
        {
            case ImsgType.LkaClientLookupReply or ImsgType.LkaExpandReply when from == ProcRole.Lka:
            case ImsgType.QueueMessageCreateReply or ImsgType.QueueMessageOpenReply or ImsgType.QueueEnvelopeSubmitReply or ImsgType.QueueMessageCommitReply when from == ProcRole.Queue:
                _requests.Complete(msg);
                break;
            case ImsgType.QueueDeliver when from == ProcRole.Queue:
                var req = msg.ReadAs<DeliveryRequest>();
                _deliveries[req.EvpId] = (req, SessionId());
                Peers[ProcRole.Parent].PostAs(ImsgType.MdaDeliver, req, fd: msg.TakeFd());
                break;
            case ImsgType.QueueBounce when from == ProcRole.Queue:
                _ = _bounces!.SendAsync(msg.ReadAs<BounceRequest>(), msg.TakeFd());
                break;
            case ImsgType.MdaDone when from == ProcRole.Parent:
                var outcome = msg.ReadAs<DeliveryOutcome>();
                if (_deliveries.Remove(outcome.EvpId, out var d))
                {
                    Log.Info(MdaLog.Delivery(d.SessionId, d.Request, outcome, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
                }

                Peers[ProcRole.Queue].PostAs(ImsgType.QueueDeliveryResult, outcome);
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
