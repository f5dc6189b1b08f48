// signal(2) with SIG_IGN: ignoring a signal needs no handler, so no runtime thread.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Libc
{
    internal static readonly nint SIG_IGN = 1;

    [LibraryImport(Name, EntryPoint = "signal")]
    internal static partial nint Signal(int signum, nint handler);
}
