// open(2) flags the rest of the code names in constant expressions. open itself, and every
// other flag, come from Tmds.LibC (whose constants are properties, not constants);
// LibcConstantsTests checks each value here against it.
namespace Smtpd.Interop;

internal static partial class Libc
{
    internal const int O_RDONLY = 0;
    internal const int O_WRONLY = 1;
    internal const int O_RDWR = 2;
    internal const int O_CREAT = 0x40;
    internal const int O_EXCL = 0x80;
    internal const int O_TRUNC = 0x200;
    internal const int O_APPEND = 0x400;
    internal const int O_DIRECTORY = 0x10000;
    internal const int O_NOFOLLOW = 0x20000;
    internal const int O_NONBLOCK = 0x800;
    internal const int O_CLOEXEC = 0x80000;
}
