// setpriority: the nice value of the delivery helpers that write mail themselves. Tmds.LibC
// binds nice(2) only, which adds to the value instead of setting it.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Libc
{
    internal const int PRIO_PROCESS = 0;

    [LibraryImport(Name, EntryPoint = "setpriority", SetLastError = true)]
    internal static partial int SetPriority(int which, uint who, int prio);
}
