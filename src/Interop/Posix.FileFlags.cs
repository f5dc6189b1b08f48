// Inode flags (chattr) and process priority.
using Tmds.Linux;

namespace Smtpd.Interop;

internal static partial class Posix
{
    /// <summary>
    /// Marks <paramref name="dir"/> as the top of a directory hierarchy (chattr +T), so that ext2/3/4
    /// place the directories made in it apart from it, each in a block group of its own choosing.
    /// False where the file system has no such flag or it could not be set; a hint, never required.
    /// </summary>
    public static unsafe bool TryMarkTopDirectory(string dir)
    {
        // _IOR('f', 1, long) and _IOW('f', 2, long) on x86_64 and arm64 (linux/fs.h); not in Tmds.LibC.
        const uint FS_IOC_GETFLAGS = 0x80086601;
        const uint FS_IOC_SETFLAGS = 0x40086602;
        const int FS_TOPDIR_FL = 0x00020000;

        if (TryOpenDirectory(dir, out var fd) != Errno.None)
        {
            return false;
        }

        using (fd)
        {
            int flags = 0;
            int raw = (int)fd!.DangerousGetHandle();
            if (LibC.ioctl(raw, unchecked((int)FS_IOC_GETFLAGS), &flags) != 0)
            {
                return false;
            }

            if ((flags & FS_TOPDIR_FL) != 0)
            {
                return true;
            }

            flags |= FS_TOPDIR_FL;
            return LibC.ioctl(raw, (int)FS_IOC_SETFLAGS, &flags) == 0;
        }
    }

    /// <summary>Sets this process's nice value (setpriority(2)); false when refused.</summary>
    public static bool TrySetNice(int nice) => Libc.SetPriority(Libc.PRIO_PROCESS, 0, nice) == 0;
}
