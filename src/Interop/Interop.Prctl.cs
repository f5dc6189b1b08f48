// prctl: no-new-privs after the drop, the thread name shown by ps -o comm, parent-death signal.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Libc
{
    internal const int PR_SET_PDEATHSIG = 1;
    internal const int PR_SET_NAME = 15;
    internal const int PR_SET_NO_NEW_PRIVS = 38;
    internal const int PR_GET_NO_NEW_PRIVS = 39;

    [LibraryImport(Name, EntryPoint = "prctl", SetLastError = true)]
    internal static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
}
