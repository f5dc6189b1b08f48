// ioctl(FS_IOC_GETFLAGS/SETFLAGS): inode flags, for the ext2/3/4 "top of directory hierarchy" hint.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Libc
{
    // _IOR('f', 1, long) and _IOW('f', 2, long) on x86_64 and arm64.
    internal const ulong FS_IOC_GETFLAGS = 0x80086601;
    internal const ulong FS_IOC_SETFLAGS = 0x40086602;
    internal const int FS_TOPDIR_FL = 0x00020000;

    [LibraryImport(Name, EntryPoint = "ioctl", SetLastError = true)]
    internal static unsafe partial int Ioctl(int fd, ulong request, int* arg);
}
