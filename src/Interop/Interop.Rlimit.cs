// getrlimit/setrlimit: the descriptor limit decides how many sessions a dispatcher can hold.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Libc
{
    internal const int RLIMIT_NOFILE = 7;
    internal const int RLIMIT_CORE = 4;

    [StructLayout(LayoutKind.Sequential)]
    internal struct RLimit
    {
        public ulong Cur;
        public ulong Max;
    }

    [LibraryImport(Name, EntryPoint = "getrlimit", SetLastError = true)]
    internal static unsafe partial int GetRLimit(int resource, RLimit* rlim);

    [LibraryImport(Name, EntryPoint = "setrlimit", SetLastError = true)]
    internal static unsafe partial int SetRLimit(int resource, RLimit* rlim);
}
