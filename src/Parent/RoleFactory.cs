// Maps `-x NAME` to the role object; the parent is never re-executed this way.
using Smtpd.Runtime;

namespace Smtpd.Parent;

internal static class RoleFactory
{
    public static RoleProcess? Create(string name) => ProcRoles.Parse(name) switch
    {
        ProcRole.Lka => new Lka.LkaProcess(),
        ProcRole.Queue => new Queue.QueueProcess(),
        ProcRole.Scheduler => new Scheduler.SchedulerProcess(),
        ProcRole.Dispatcher => new Dispatcher.DispatcherProcess(),
        ProcRole.Control => new Control.ControlProcess(),
        ProcRole.Ca => new Ca.CaProcess(),
        _ => null,
    };
}
