// The control role's one message switch for messages from other roles.
using Smtpd.Ipc;
using Smtpd.Runtime;

namespace Smtpd.Control;

internal sealed partial class ControlProcess
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
