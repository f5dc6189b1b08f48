// The scheduler role's one message switch.
using Smtpd.Ipc;
using Smtpd.Runtime;

namespace Smtpd.Scheduler;

internal sealed partial class SchedulerProcess
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
