// The control role's one message switch for messages from other roles: answers to relayed
// client requests go back to the client whose id they carry; counters are added up.
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Control;

internal sealed partial class ControlProcess
{
    public override ValueTask DispatchAsync(ProcRole from, Imsg msg)
    {
        switch (msg.Type)
        {
            case ImsgType.StatUpdate:
                var stat = msg.Read<StatUpdate>();
                _stats.Update(stat.Key, stat.Delta);
                break;
            case ImsgType.CtlOk when from is ProcRole.Lka or ProcRole.Parent or ProcRole.Dispatcher:
                Answer(msg.PeerId, msg.Read<CtlResult>());
                break;
            case ImsgType.CtlCount when from is ProcRole.Scheduler or ProcRole.Queue:
                Answer(msg.PeerId, msg.Read<CtlCount>());
                break;
            case ImsgType.CtlQueueLines when from == ProcRole.Queue:
                var lines = msg.Read<CtlQueueLines>();
                if (lines.Last ? _waiting.Remove(msg.PeerId, out var listing) : _waiting.TryGetValue(msg.PeerId, out listing))
                {
                    listing.Post(lines);
                }

                break;
            case ImsgType.CtlMtaShowLines when from == ProcRole.Dispatcher:
                var shown = msg.Read<CtlMtaShowLines>();
                if (shown.Last ? _waiting.Remove(msg.PeerId, out var asker) : _waiting.TryGetValue(msg.PeerId, out asker))
                {
                    asker.Post(shown);
                }

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

    private void Answer<T>(uint client, T answer)
        where T : IImsgPayload<T>
    {
        if (_waiting.Remove(client, out var channel))
        {
            channel.Post(answer);
        }
    }
}
