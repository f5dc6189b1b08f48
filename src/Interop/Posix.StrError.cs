// errno as glibc words it (our log lines quote it like OpenSMTPD's log_warn). Tmds.LibC's
// strerror_r is the XSI one (__xpg_strerror_r), which always fills the buffer.
using System.Runtime.InteropServices;
using Tmds.Linux;

namespace Smtpd.Interop;

internal static partial class Posix
{
    public static string StrError(Errno errno) => StrError((int)errno);

    internal static unsafe string StrError(int errno)
    {
        byte* buf = stackalloc byte[256];
        if (LibC.strerror_r(errno, buf, 256) != 0)
        {
            return "Unknown error " + errno.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return Marshal.PtrToStringUTF8((nint)buf) ?? string.Empty;
    }
}
