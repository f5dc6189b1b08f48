// Facts that need root: skipped with the reason, not failed and not passed silently, when run
// unprivileged.
using Smtpd.Interop;

namespace Smtpd.Tests.TestSupport;

internal sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute(string why)
    {
        if (Posix.GetEUid() != 0)
        {
            Skip = "needs root: " + why;
        }
    }
}
