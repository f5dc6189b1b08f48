// The crypto (ca) role: private-key operations, chrooted to the empty directory. The keys are
// read before the chroot and exist in this process only.
// Behaviour reference: usr.sbin/smtpd/ca.c.
using Smtpd.Runtime;

namespace Smtpd.Ca;

internal sealed partial class CaProcess : RoleProcess
{
    private readonly CaKeys _keys = new();

    public override ProcRole Role => ProcRole.Ca;

    // Private-key operations exist only for the configured certificates.
    public override bool NeedsCrypto => Model.Pkis.Count > 0;

    public override void BeforeDrop()
    {
        if (NeedsCrypto)
        {
            _keys.Load(Model.Pkis);
        }
    }
}
