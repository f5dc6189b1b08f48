// The lookup agent (lka) role's one message switch.
using Smtpd.Ipc;
using Smtpd.Runtime;

namespace Smtpd.Lka;

internal sealed partial class LkaProcess
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
