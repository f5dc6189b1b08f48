// Inode flags (chattr) and process priority.
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
        if (TryOpenDirectory(dir, out var fd) != Errno.None)
        {
            return false;
        }

        using (fd)
        {
            int flags = 0;
            int raw = (int)fd!.DangerousGetHandle();
            if (Libc.Ioctl(raw, Libc.FS_IOC_GETFLAGS, &flags) != 0)
            {
                return false;
            }

            if ((flags & Libc.FS_TOPDIR_FL) != 0)
            {
                return true;
            }

            flags |= Libc.FS_TOPDIR_FL;
            return Libc.Ioctl(raw, Libc.FS_IOC_SETFLAGS, &flags) == 0;
        }
    }

    /// <summary>Sets this process's nice value (setpriority(2)); false when refused.</summary>
    public static bool TrySetNice(int nice) => Libc.SetPriority(Libc.PRIO_PROCESS, 0, nice) == 0;
}
