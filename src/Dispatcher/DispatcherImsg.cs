// The dispatcher role's one message switch.
using Smtpd.Ipc;
using Smtpd.Runtime;

namespace Smtpd.Dispatcher;

internal sealed partial class DispatcherProcess
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
