// The dispatcher's one message switch: replies to the requests its sessions made, deliveries the
// queue starts (the user looked up by the lka, then handed to the parent, which runs them as that
// user), and how they ended.
// Behaviour reference: usr.sbin/smtpd/dispatcher.c, mda.c (mda_user, IMSG_MDA_LOOKUP_USERINFO).
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Dispatcher;

internal sealed partial class DispatcherProcess
{
    // Deliveries in progress; HoldsUser: the delivery counts in _users (its user was found).
    private readonly Dictionary<ulong, (DeliveryRequest Request, ulong SessionId, bool HoldsUser)> _deliveries = [];
    // Made at start, from `mda limit` (OpenSMTPD's defaults otherwise).
    private MdaLimiter<DeliveryRequest> _mda = new();

    // Users the lookup agent found, kept while they have deliveries in progress (OpenSMTPD's
    // mda_user): a burst of mail to one user costs one lookup, and the next burst asks again.
    private readonly Dictionary<(string Dispatcher, string User), (LkaUserinfoReply Info, int Deliveries)> _users = [];

    public override ValueTask DispatchAsync(ProcRole from, Imsg msg)
    {
        switch (msg.Type)
        {
            case ImsgType.LkaClientLookupReply or ImsgType.LkaExpandReply or ImsgType.LkaUserinfoReply or ImsgType.LkaAuthenticateReply or ImsgType.FilterQueryReply or ImsgType.FilterDataBeginReply or ImsgType.LkaCheckSenderReply or ImsgType.LkaCertFingerprintReply when from == ProcRole.Lka:
            case ImsgType.QueueMessageCreateReply or ImsgType.QueueMessageOpenReply or ImsgType.QueueEnvelopeSubmitReply or ImsgType.QueueMessageCommitReply or ImsgType.QueueDeliveryOpenReply when from == ProcRole.Queue:
                _requests.Complete(msg);
                break;
            case ImsgType.QueueDeliver when from == ProcRole.Queue:
                var req = msg.ReadAs<DeliveryRequest>();
                _deliveries[req.EvpId] = (req, SessionId(), false);
                StartDeliveries(_mda.Add(req.User, req));
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
                DeliveryDone(msg.ReadAs<DeliveryOutcome>());
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

    private void StartDeliveries(List<DeliveryRequest> ready)
    {
        foreach (var req in ready)
        {
            _ = DeliverAsync(req);
        }
    }

    /// <summary>
    /// Asks the lookup agent who the delivery's user is, then the queue for the message, and
    /// hands the delivery to the parent with both; a user the userbase does not know fails
    /// here, without a helper, and a message that cannot be opened (or whose descriptor could
    /// not be received) fails temporarily.
    /// </summary>
    private async Task DeliverAsync(DeliveryRequest req)
    {
        var key = (req.Dispatcher, req.User);
        LkaUserinfoReply user;
        if (_users.TryGetValue(key, out var known))
        {
            user = known.Info;
        }
        else
        {
            var (id, task) = _requests.Start();
            Peers[ProcRole.Lka].Post(new LkaUserinfoLookup(id, req.Dispatcher, req.User));
            var (reply, _) = await task;
            try
            {
                user = reply.Read<LkaUserinfoReply>();
            }
            catch (ImsgFormatException e)
            {
                Log.FatalX($"mda_imsg: malformed userinfo reply: {e.Message}");
                return;
            }
        }

        switch (user.Status)
        {
            case UserinfoStatus.Found:
                if (_deliveries.TryGetValue(req.EvpId, out var d))
                {
                    _users[key] = (_users.TryGetValue(key, out var held) ? held.Info : user, held.Deliveries + 1);
                    _deliveries[req.EvpId] = d with { HoldsUser = true };
                }

                var fd = await OpenDeliveryMessageAsync(req);
                if (fd is null)
                {
                    DeliveryDone(new DeliveryOutcome(req.EvpId, DeliveryOutcomeStatus.TempFail, "Temporary failure: cannot open message"));
                    break;
                }

                Peers[ProcRole.Parent].PostAs(ImsgType.MdaDeliver, new MdaDelivery(req, user.Name, user.Uid, user.Gid, user.Directory), fd: fd);
                break;
            case UserinfoStatus.NotFound:
                DeliveryDone(new DeliveryOutcome(req.EvpId, DeliveryOutcomeStatus.PermFail, $"user \"{req.User}\" does not exist"));
                break;
            default:
                DeliveryDone(new DeliveryOutcome(req.EvpId, DeliveryOutcomeStatus.TempFail, "Temporary failure in user lookup"));
                break;
        }
    }

    private Task<Interop.SafeFd?> OpenDeliveryMessageAsync(DeliveryRequest req) => OpenMessageAsync((uint)(req.EvpId >> 32));

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

    /// <summary>A delivery ended (in the parent's helper, or here when its user was not found): log it, tell the queue, start the next.</summary>
    private void DeliveryDone(DeliveryOutcome outcome)
    {
        if (_deliveries.Remove(outcome.EvpId, out var d))
        {
            if (d.HoldsUser)
            {
                var key = (d.Request.Dispatcher, d.Request.User);
                var held = _users[key];
                if (held.Deliveries <= 1)
                {
                    _users.Remove(key);
                }
                else
                {
                    _users[key] = (held.Info, held.Deliveries - 1);
                }
            }

            StartDeliveries(_mda.Done(d.Request.User));
            var r = d.Request;
            var result = outcome.Status switch
            {
                DeliveryOutcomeStatus.Ok => Mda.MdaResult.Ok,
                DeliveryOutcomeStatus.TempFail => Mda.MdaResult.TempFail(outcome.ErrorLine) with { SysError = outcome.SysError },
                DeliveryOutcomeStatus.Loop => Mda.MdaResult.Loop,
                _ => Mda.MdaResult.PermFail(outcome.ErrorLine) with { SysError = outcome.SysError },
            };
            var delay = TimeSpan.FromSeconds(Math.Max(0, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - r.Creation));
            Log.Info(Mda.MdaLog.Delivery(d.SessionId, r.EvpId, r.Sender, r.Dest, r.Rcpt, r.User, delay, result));
        }

        Peers[ProcRole.Queue].PostAs(ImsgType.QueueDeliveryResult, outcome);
    }
}
