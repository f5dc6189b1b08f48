// errno as glibc words it, for results that carry an errno instead of throwing it.
namespace Smtpd.Interop;

internal static partial class Posix
{
    public static string StrError(Errno errno) => Libc.StrError((int)errno);
}
