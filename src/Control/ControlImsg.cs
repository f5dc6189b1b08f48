// The control role's one message switch for messages from other roles: answers to relayed
// client requests go back to the client whose id they carry.
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Control;

internal sealed partial class ControlProcess
{
    public override ValueTask DispatchAsync(ProcRole from, Imsg msg)
    {
        if (msg.Type == ImsgType.CtlOk && from == ProcRole.Lka)
        {
            var result = msg.Read<CtlResult>();
            if (_waiting.Remove(msg.PeerId, out var client))
            {
                client.Post(result);
            }

            return ValueTask.CompletedTask;
        }

        if (msg.Type == ImsgType.CtlQueueLines && from == ProcRole.Queue)
        {
            var lines = msg.Read<CtlQueueLines>();
            if (lines.Last ? _waiting.Remove(msg.PeerId, out var listing) : _waiting.TryGetValue(msg.PeerId, out listing))
            {
                listing.Post(lines);
            }

            return ValueTask.CompletedTask;
        }

        if (!DispatchCommon(Peers[from], msg))
        {
            Unexpected(from, msg);
        }

        return ValueTask.CompletedTask;
    }
}
