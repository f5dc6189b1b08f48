// The dispatcher role: the network-facing process: smtp-in sessions, mta sessions, mda orchestration. Chrooted to the empty directory.
// Behaviour reference: usr.sbin/smtpd/dispatcher.c.
using Smtpd.Runtime;

namespace Smtpd.Dispatcher;

internal sealed partial class DispatcherProcess : RoleProcess
{
    public override ProcRole Role => ProcRole.Dispatcher;

    public override bool NeedsCrypto => true;
}
