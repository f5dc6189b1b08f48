// The parent's one message switch for what roles ask of it.
using Smtpd.Ipc;
using Smtpd.Runtime;

namespace Smtpd.Parent;

internal sealed partial class ParentProcess
{
    private void Dispatch(ChildProcess from, Imsg msg)
    {
        switch (msg.Type)
        {
            case ImsgType.MdaDeliver when from.Role == ProcRole.Dispatcher:
                _ = DeliverAsync(from.Channel, msg.ReadAs<Ipc.Messages.MdaDelivery>(), msg.TakeFd());
                break;
            case ImsgType.LkaOpenForward when from.Role == ProcRole.Lka:
                ParentForward.Reply(from.Channel, msg.Read<Ipc.Messages.LkaOpenForward>());
                break;
            case ImsgType.LkaAuthenticate when from.Role == ProcRole.Lka:
                // PAM blocks for seconds after a failure: never on this loop.
                var auth = msg.Read<Ipc.Messages.LkaAuthenticate>();
                var channel = from.Channel;
                _ = Task.Run(() => channel.Post(new Ipc.Messages.LkaAuthenticateReply(auth.ReqId, ParentAuth.CheckSystemUser(auth.User, auth.Password))));
                break;
            case ImsgType.FilterProcRestart when from.Role == ProcRole.Lka:
                _filters?.Restart(msg.Read<Ipc.Messages.FilterProcRestart>());
                break;
            case ImsgType.CtlVerbose:
                Log.SetVerbose(msg.Read<Ipc.Messages.CtlVerbose>().Level);
                break;
            case ImsgType.CtlStop when from.Role == ProcRole.Control:
                // smtpctl stop: the same clean stop as SIGTERM, once the client has its answer.
                Log.Info("info: stop requested by smtpctl");
                from.Channel.Post(new Ipc.Messages.CtlResult(true, string.Empty), peerId: msg.PeerId);
                _ = StopSoonAsync();
                break;
            case ImsgType.CtlReload when from.Role == ProcRole.Control:
                from.Channel.Post(Reload(), peerId: msg.PeerId);
                break;
            case ImsgType.CtlTraceSet:
                Log.SetTrace((TraceFlags)msg.ReadAs<Ipc.Messages.CtlFlags>().Flags);
                break;
            case ImsgType.Ping:
                from.Channel.Post(new Ipc.Messages.Pong(msg.Read<Ipc.Messages.Ping>().Sequence));
                break;
            default:
                Log.FatalX($"parent_imsg: unexpected {msg.Type} imsg from {from.Role.ShortTitle()}");
                break;
        }
    }
}
