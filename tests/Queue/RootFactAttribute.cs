// Facts that need root (mounting a tmpfs): skipped, not failed, when run unprivileged.
using Smtpd.Interop;

namespace Smtpd.Tests.Queue;

internal sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Posix.GetEUid() != 0)
        {
            Skip = "needs root to mount a small tmpfs";
        }
    }
}
