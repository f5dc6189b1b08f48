// signal(2) with SIG_IGN or SIG_DFL: ignoring a signal needs no handler, so no runtime thread;
// restoring the default undoes an SIG_IGN inherited across exec.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Libc
{
    internal static readonly nint SIG_DFL = 0;

    internal static readonly nint SIG_IGN = 1;

    [LibraryImport(Name, EntryPoint = "signal")]
    internal static partial nint Signal(int signum, nint handler);
}
