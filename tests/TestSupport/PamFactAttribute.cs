// A test that drives the real PAM stack: root (to create a user and read the shadow file), libpam,
// and Debian's common-auth/common-account, which the shipped packaging/pam.d/smtpd includes.
using Smtpd.Interop;

namespace Smtpd.Tests.TestSupport;

internal sealed class PamFactAttribute : FactAttribute
{
    public PamFactAttribute()
    {
        if (Posix.GetEUid() != 0)
        {
            Skip = "needs root: creates a user and lets pam_unix read the shadow file";
        }
        else if (!Posix.PamAvailable)
        {
            Skip = "libpam.so.0 (libpam0g) is not installed";
        }
        else if (!File.Exists("/etc/pam.d/common-auth") || !File.Exists("/etc/pam.d/common-account"))
        {
            Skip = "not a Debian PAM layout (no /etc/pam.d/common-auth and common-account)";
        }
    }
}
