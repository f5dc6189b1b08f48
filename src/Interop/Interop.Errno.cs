// strerror_r: the text of an errno, as glibc words it (our log lines quote it like OpenSMTPD's log_warn).
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Libc
{
    // The GNU variant returns a pointer that may or may not be the buffer passed in.
    [LibraryImport(Name, EntryPoint = "__xpg_strerror_r")]
    private static unsafe partial int StrErrorR(int errnum, byte* buf, nint buflen);

    internal static unsafe string StrError(int errno)
    {
        byte* buf = stackalloc byte[256];
        if (StrErrorR(errno, buf, 256) != 0)
        {
            return "Unknown error " + errno.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return Marshal.PtrToStringUTF8((nint)buf) ?? string.Empty;
    }
}
