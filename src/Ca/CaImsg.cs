// The crypto (ca) role's one message switch.
using Smtpd.Ipc;
using Smtpd.Runtime;

namespace Smtpd.Ca;

internal sealed partial class CaProcess
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
