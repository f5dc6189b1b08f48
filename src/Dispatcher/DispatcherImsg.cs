// The dispatcher's one message switch: replies to the requests its sessions made, local deliveries
// the queue starts and their ends (Mda/MdaDeliveries), relays (Mta/), bounces, pause and resume.
// Behaviour reference: usr.sbin/smtpd/dispatcher.c (dispatcher_imsg).
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Dispatcher;

internal sealed partial class DispatcherProcess
{
    // Local deliveries (Mda/MdaDeliveries), made at start.
    private Mda.MdaDeliveries? _mda;

    public override ValueTask DispatchAsync(ProcRole from, Imsg msg)
    {
        switch (msg.Type)
        {
            case ImsgType.LkaClientLookupReply or ImsgType.LkaExpandReply or ImsgType.LkaUserinfoReply or ImsgType.LkaAuthenticateReply or ImsgType.FilterQueryReply or ImsgType.FilterDataBeginReply or ImsgType.LkaCheckSenderReply or ImsgType.LkaCertFingerprintReply when from == ProcRole.Lka:
            case ImsgType.QueueMessageCreateReply or ImsgType.QueueMessageOpenReply or ImsgType.QueueEnvelopeSubmitReply or ImsgType.QueueMessageCommitReply or ImsgType.QueueDeliveryOpenReply when from == ProcRole.Queue:
                _requests.Complete(msg);
                break;
            case ImsgType.QueueDeliver when from == ProcRole.Queue:
                _mda!.Add(msg.ReadAs<DeliveryRequest>());
                break;
            case ImsgType.MtaRouteReply or ImsgType.MtaTlsaReply or ImsgType.MtaStsReply or ImsgType.MtaFingerprintReply when from == ProcRole.Lka:
                _requests.Complete(msg);
                break;
            case ImsgType.MtaDeliver when from == ProcRole.Queue:
                _mta!.Add(msg.Read<MtaDeliverRequest>());
                break;
            case ImsgType.QueueBounce when from == ProcRole.Queue:
                _ = _bounces!.SendAsync(msg.ReadAs<BounceRequest>(), msg.TakeFd());
                break;
            case ImsgType.CtlPauseSmtp when from == ProcRole.Control:
                Log.Debug("debug: smtp: pausing listening sockets");
                _smtpPaused ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                break;
            case ImsgType.CtlResumeSmtp when from == ProcRole.Control:
                Log.Debug("debug: smtp: resuming listening sockets");
                _smtpPaused?.TrySetResult();
                _smtpPaused = null;
                break;
            case ImsgType.CtlMtaShow when from == ProcRole.Control:
                ShowMta(msg.PeerId, msg.Read<CtlMtaShow>().Kind);
                break;
            case ImsgType.CtlResumeRoute when from == ProcRole.Control:
                _mta!.ResumeRoute(msg.Read<CtlResumeRoute>().RouteId);
                Peers[ProcRole.Control].Post(new CtlResult(true, string.Empty), peerId: msg.PeerId);
                break;
            case ImsgType.TlsReloadCerts when from == ProcRole.Parent:
                var certs = msg.Read<TlsReloadCerts>();
                _tls.Reload(Model, certs.Generation, certs.Entries.ToDictionary(e => e.Name, e => e.Pem));
                break;
            case ImsgType.TlsOcspStaple when from == ProcRole.Lka:
                var staple = msg.Read<TlsOcspStaple>();
                _tls.Staples.Set(staple.Pki, staple.CertSha256, staple.ExpiresUnix, staple.Response);
                break;
            case ImsgType.MdaDone when from == ProcRole.Parent:
                _mda!.Done(msg.ReadAs<DeliveryOutcome>());
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

    /// <summary>A `smtpctl show` listing of the mta, in batches that fit in a message, the last one marked.</summary>
    private void ShowMta(uint client, CtlMtaShowKind kind)
    {
        var batch = new System.Text.StringBuilder();
        foreach (string line in _mta!.Show(kind))
        {
            if (batch.Length + line.Length > 8000)
            {
                Peers[ProcRole.Control].Post(new CtlMtaShowLines(false, batch.ToString()), peerId: client);
                batch.Clear();
            }

            batch.Append(line).Append('\n');
        }

        Peers[ProcRole.Control].Post(new CtlMtaShowLines(true, batch.ToString()), peerId: client);
    }

    /// <summary>The route of a relay action's mail to a domain, from the lka (the mta never reads tables or asks DNS itself).</summary>
    private async Task<MtaRouteReply> LookupMtaRouteAsync(MtaRouteLookup lookup)
    {
        var (id, task) = _requests.Start();
        Peers[ProcRole.Lka].Post(lookup with { ReqId = id });
        var (reply, _) = await task;
        return reply.Read<MtaRouteReply>();
    }

    /// <summary>A queued message, opened read-only by the queue; null when it cannot be.</summary>
    private async Task<Interop.SafeFd?> OpenMessageAsync(uint msgid)
    {
        var (id, task) = _requests.Start();
        Peers[ProcRole.Queue].PostAs(ImsgType.QueueDeliveryOpen, new MsgRequest(id, msgid));
        var (reply, fd) = await task;
        if (!reply.ReadAs<MsgRequest>().Ok)
        {
            fd?.Dispose();
            return null;
        }

        return fd;
    }
}
