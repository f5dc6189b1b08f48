// The lookup agent's one message switch: client names for the greeting, recipient expansion, the
// parent's answers about ~/.forward files, delivery users' userinfo, AUTH credential checks and
// the senders an authenticated user may use.
using System.Net;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Rules;
using Smtpd.Runtime;

namespace Smtpd.Lka;

internal sealed partial class LkaProcess
{
    public override ValueTask DispatchAsync(ProcRole from, Imsg msg)
    {
        var peer = Peers[from];
        switch (msg.Type)
        {
            case ImsgType.LkaClientLookup:
                _ = ReplyClientLookupAsync(peer, msg.Read<LkaClientLookup>());
                break;
            case ImsgType.LkaExpandRcpt:
                _ = ExpandRcptAsync(peer, msg.Read<LkaExpandRcpt>());
                break;
            case ImsgType.MtaRouteLookup when from == ProcRole.Dispatcher:
                _ = ReplyMtaRouteAsync(peer, msg.Read<MtaRouteLookup>());
                break;
            case ImsgType.MtaTlsaLookup when from == ProcRole.Dispatcher:
                _ = ReplyAsync(peer, _mtaSecurity!.TlsaAsync(msg.Read<MtaTlsaLookup>()));
                break;
            case ImsgType.MtaStsLookup when from == ProcRole.Dispatcher:
                _ = ReplyAsync(peer, _mtaSecurity!.StsAsync(msg.Read<MtaStsLookup>()));
                break;
            case ImsgType.MtaFingerprintCheck when from == ProcRole.Dispatcher:
                peer.Post(_mtaSecurity!.Fingerprint(msg.Read<MtaFingerprintCheck>()));
                break;
            case ImsgType.LkaUserinfoLookup when from == ProcRole.Dispatcher:
                peer.Post(_userinfo!.Lookup(msg.Read<LkaUserinfoLookup>()));
                break;
            case ImsgType.LkaAuthenticate when from == ProcRole.Dispatcher:
                _ = AuthenticateAsync(peer, msg.Read<LkaAuthenticate>());
                break;
            case ImsgType.LkaCheckSender when from == ProcRole.Dispatcher:
                peer.Post(_senders!.Check(msg.Read<LkaCheckSender>()));
                break;
            case ImsgType.LkaCertFingerprint when from == ProcRole.Dispatcher:
                peer.Post(_pins!.Check(msg.Read<LkaCertFingerprint>()));
                break;
            case ImsgType.LkaAuthenticateReply when from == ProcRole.Parent:
                var verdict = msg.Read<LkaAuthenticateReply>();
                if (!_authentications.TryComplete(verdict.ReqId, verdict.Status))
                {
                    Log.FatalX($"lka: authentication reply for unknown request {verdict.ReqId}");
                }

                break;
            case ImsgType.LkaOpenForwardReply when from == ProcRole.Parent:
                var fwreply = msg.Read<LkaOpenForwardReply>();
                var fd = msg.TakeFd();
                if (!_forwards.TryComplete(fwreply.ReqId, new ForwardOpen(fwreply.Status, fwreply.Status == ForwardStatus.Ok ? fd : null)))
                {
                    fd?.Dispose();
                    Log.FatalX($"lka: forward reply for unknown request {fwreply.ReqId}");
                }

                break;
            case ImsgType.ConfigReload when from == ProcRole.Parent:
                Build(Config.ConfigSerializer.Deserialize(msg.ReadAs<SetupConfig>().Blob));
                Log.Info("info: lookup: configuration reloaded (rules, actions, tables)");
                _ocsp?.RefreshNow();
                break;
            case ImsgType.FilterBegin when from == ProcRole.Dispatcher:
                _filters!.Begin(msg.Read<FilterBegin>());
                break;
            case ImsgType.FilterEnd when from == ProcRole.Dispatcher:
                _filters!.End(msg.Read<FilterEnd>().SessionId);
                break;
            case ImsgType.FilterQuery when from == ProcRole.Dispatcher:
                _ = _filters!.QueryAsync(peer, msg.Read<FilterQuery>());
                break;
            case ImsgType.FilterReport when from == ProcRole.Dispatcher:
                _filters!.Report(msg.Read<FilterReport>());
                break;
            case ImsgType.FilterDataBegin when from == ProcRole.Dispatcher:
                _ = _filters!.DataBeginAsync(peer, msg.Read<FilterDataBegin>());
                break;
            case ImsgType.FilterProcFork or ImsgType.FilterProcStderr when from == ProcRole.Parent:
                var started = (msg.ReadAs<FilterProcSocket>().Name, msg.TakeFd(), msg.Type == ImsgType.FilterProcStderr);
                if (_filters is null)
                {
                    // Possible before StartAsync ran: kept until then.
                    _earlyProcs.Add(started);
                    break;
                }

                _filters.ProcStarted(started.Item1, started.Item2, started.Item3);
                break;
            case ImsgType.CtlUpdateTable:
                var name = msg.Read<CtlUpdateTable>().Name;
                var (ok, error) = _tables!.Update(name);
                if (ok)
                {
                    Log.Info($"info: table \"{name}\" updated");
                }
                else
                {
                    Log.Warn($"warn: update of table \"{name}\" failed: {error}");
                }

                peer.Post(new CtlResult(ok, error), peerId: msg.PeerId);
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

    private async Task ExpandRcptAsync(ImsgChannel peer, LkaExpandRcpt req)
    {
        if (Monkey.Fails("recipient lookup"))
        {
            peer.Post(new LkaExpandReply(req.ReqId, ExpandStatus.TempFail, "451 4.3.0 Temporary failure", []));
            return;
        }

        var r = await _expander!.ExpandAsync(new RuleContext
        {
            Tag = req.Tag,
            Source = req.Source,
            Rdns = req.Rdns,
            Helo = req.Helo,
            AuthUser = req.AuthUser,
            Tls = req.Tls,
            Sender = req.Sender,
            Recipient = req.Recipient,
        });
        if (r.Status != ExpandStatus.Accepted)
        {
            Log.Trace(TraceFlags.Expand, $"expand: {req.Recipient}: {r.Why}");
        }

        peer.Post(new LkaExpandReply(req.ReqId, r.Status, r.Reply, [.. r.Deliveries]));
    }

    private async Task ReplyMtaRouteAsync(ImsgChannel peer, MtaRouteLookup req) =>
        peer.Post(await _mtaRoute!.LookupAsync(req));

    private static async Task ReplyAsync<T>(ImsgChannel peer, Task<T> reply)
        where T : IImsgPayload<T> =>
        peer.Post(await reply);

    private async Task AuthenticateAsync(ImsgChannel peer, LkaAuthenticate req) =>
        peer.Post(await _authenticator!.AuthenticateAsync(req));

    /// <summary>Asks the parent to check a system user's password; the reply completes it on this loop.</summary>
    private ValueTask<AuthStatus> SystemUserAuthenticateAsync(string user, string password)
    {
        var (id, reply) = _authentications.Start();
        Peers[ProcRole.Parent].Post(new LkaAuthenticate(id, -1, user, password));
        return new ValueTask<AuthStatus>(reply);
    }

    /// <summary>Asks the parent to open a user's ~/.forward; the reply completes it on this loop.</summary>
    private ValueTask<ForwardOpen> OpenForwardAsync(UserInfo user)
    {
        var (id, reply) = _forwards.Start();
        Peers[ProcRole.Parent].Post(new LkaOpenForward(id, user.Name, user.Directory, user.Uid, user.Gid));
        return new ValueTask<ForwardOpen>(reply);
    }

    private async Task ReplyClientLookupAsync(ImsgChannel peer, LkaClientLookup req)
    {
        string text = req.Address.Trim('[', ']');
        if (!IPAddress.TryParse(text, out var address))
        {
            peer.Post(new LkaClientLookupReply(req.ReqId, null, FcrdnsResult.Fail));
            return;
        }

        // As OpenSMTPD: a valid PTR name is the session's host (log, Received, "from rdns")
        // whether or not it resolves back; forward confirmation is the separate fcrdns flag
        // that "match ... fcrdns" and filters test. No valid name is "<unknown>".
        var r = await _dns!.ReverseAsync(address);
        peer.Post(new LkaClientLookupReply(req.ReqId, r.Name, r.Fcrdns));
    }
}
