// The scheduler role: the in-memory view of every envelope: when to try, retry, expire, hold. Chrooted to the empty directory; holds no files.
// Behaviour reference: usr.sbin/smtpd/scheduler.c.
using Smtpd.Runtime;

namespace Smtpd.Scheduler;

internal sealed partial class SchedulerProcess : RoleProcess
{
    public override ProcRole Role => ProcRole.Scheduler;
}
