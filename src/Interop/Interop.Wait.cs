// waitpid and kill: reaping the children we spawned and stopping them.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Libc
{
    internal const int WNOHANG = 1;
    internal const int SIGHUP = 1;
    internal const int SIGINT = 2;
    internal const int SIGKILL = 9;
    internal const int SIGPIPE = 13;
    internal const int SIGALRM = 14;
    internal const int SIGTERM = 15;

    [LibraryImport(Name, EntryPoint = "waitpid", SetLastError = true)]
    internal static unsafe partial int WaitPid(int pid, int* status, int options);

    [LibraryImport(Name, EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int sig);

    [LibraryImport(Name, EntryPoint = "getpid")]
    internal static partial int GetPid();

    [LibraryImport(Name, EntryPoint = "getppid")]
    internal static partial int GetPPid();
}
