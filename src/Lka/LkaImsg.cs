// The lookup agent's one message switch: client names for the greeting, recipient expansion.
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
                var req = msg.Read<LkaExpandRcpt>();
                var (status, reply, deliveries) = _expander!.Expand(new RuleContext
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
                if (status != LkaExpandReply.Accepted)
                {
                    Log.Trace(TraceFlags.Expand, $"expand: {req.Recipient}: {_expander.LastError}");
                }

                peer.Post(new LkaExpandReply(req.ReqId, status, reply, [.. deliveries]));
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

    private async Task ReplyClientLookupAsync(ImsgChannel peer, LkaClientLookup req)
    {
        string text = req.Address.Trim('[', ']');
        if (!IPAddress.TryParse(text, out var address))
        {
            peer.Post(new LkaClientLookupReply(req.ReqId, null, (byte)Dns.FcrdnsResult.Fail));
            return;
        }

        var r = await _dns!.ReverseAsync(address);
        peer.Post(new LkaClientLookupReply(req.ReqId, r.Name, (byte)r.Fcrdns));
    }
}
