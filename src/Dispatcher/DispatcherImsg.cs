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
    private readonly MdaLimiter<(DeliveryRequest Request, Interop.SafeFd? Fd)> _mda = new();

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
                StartDeliveries(_mda.Add(req.User, (req, msg.TakeFd())));
                break;
            case ImsgType.QueueBounce when from == ProcRole.Queue:
                _ = _bounces!.SendAsync(msg.ReadAs<BounceRequest>(), msg.TakeFd());
                break;
            case ImsgType.MdaDone when from == ProcRole.Parent:
                var outcome = msg.ReadAs<DeliveryOutcome>();
                if (_deliveries.Remove(outcome.EvpId, out var d))
                {
                    StartDeliveries(_mda.Done(d.Request.User));
                    var r = d.Request;
                    var result = outcome.Status switch
                    {
                        0 => Mda.MdaResult.Ok,
                        1 => Mda.MdaResult.TempFail(outcome.ErrorLine),
                        _ => Mda.MdaResult.PermFail(outcome.ErrorLine),
                    };
                    var delay = TimeSpan.FromSeconds(Math.Max(0, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - r.Creation));
                    Log.Info(Mda.MdaLog.Delivery(d.SessionId, r.EvpId, r.Sender, r.Dest, r.Rcpt, r.User, delay, result));
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

    private void StartDeliveries(List<(DeliveryRequest Request, Interop.SafeFd? Fd)> ready)
    {
        foreach (var (req, fd) in ready)
        {
            Peers[ProcRole.Parent].PostAs(ImsgType.MdaDeliver, req, fd: fd);
        }
    }
}
