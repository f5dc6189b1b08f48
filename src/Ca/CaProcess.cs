// The crypto (ca) role: private-key operations, chrooted to the empty directory.
// Behaviour reference: usr.sbin/smtpd/ca.c.
using Smtpd.Runtime;

namespace Smtpd.Ca;

internal sealed partial class CaProcess : RoleProcess
{
    public override ProcRole Role => ProcRole.Ca;

    public override bool NeedsCrypto => true;
}
