// prctl: no-new-privs after the drop, and the thread name shown by ps -o comm. Not in Tmds.LibC.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Libc
{
    internal const int PR_SET_NAME = 15;
    internal const int PR_SET_NO_NEW_PRIVS = 38;

    [LibraryImport(Name, EntryPoint = "prctl", SetLastError = true)]
    internal static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
}
