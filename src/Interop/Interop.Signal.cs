// signal(2) with SIG_IGN or SIG_DFL: ignoring a signal needs no handler, so no runtime thread;
// restoring the default undoes an SIG_IGN inherited across exec. Tmds.LibC binds sigaction
// but not signal. The signal numbers are the ones the rest of the code names in constant
// expressions; LibcConstantsTests checks them against Tmds.LibC.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Libc
{
    internal const int SIGHUP = 1;
    internal const int SIGINT = 2;
    internal const int SIGKILL = 9;
    internal const int SIGTERM = 15;

    [LibraryImport(Name, EntryPoint = "signal")]
    internal static unsafe partial void* Signal(int signum, void* handler);
}
