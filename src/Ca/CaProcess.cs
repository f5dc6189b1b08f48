// The crypto (ca) role: private-key operations, chrooted to the empty directory.
// Behaviour reference: usr.sbin/smtpd/ca.c.
using Smtpd.Runtime;

namespace Smtpd.Ca;

internal sealed partial class CaProcess : RoleProcess
{
    public override ProcRole Role => ProcRole.Ca;

    // Private-key operations exist only for the configured certificates.
    public override bool NeedsCrypto => Model.Pkis.Count > 0;
}
