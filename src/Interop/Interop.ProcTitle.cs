// Where glibc keeps argv[0]: program_invocation_name points at the start of the contiguous
// argv strings that ps(1) reads through /proc/PID/cmdline. Overwriting that area (as
// setproctitle does) is how a role shows "smtpd: queue" instead of "smtpd -x queue".
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Libc
{
    internal static unsafe byte* ArgvArea()
    {
        if (!NativeLibrary.TryLoad("libc.so.6", out nint lib) ||
            !NativeLibrary.TryGetExport(lib, "program_invocation_name", out nint slot))
        {
            return null;
        }

        return *(byte**)slot;
    }
}
