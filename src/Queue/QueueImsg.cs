// The queue role's one message switch.
using Smtpd.Ipc;
using Smtpd.Runtime;

namespace Smtpd.Queue;

internal sealed partial class QueueProcess
{
    public override ValueTask DispatchAsync(ProcRole from, Imsg msg)
    {
        if (!DispatchCommon(Peers[from], msg))
        {
            Unexpected(from, msg);
        }

        return ValueTask.CompletedTask;
    }
}
