// Status of an open descriptor, and of a path through symbolic links: what the parent needs to
// check a ~/.forward it opened (and the home directory above it) without racing a rename.
// Behaviour reference: usr.sbin/smtpd/util.c secure_file().
namespace Smtpd.Interop;

internal static partial class Posix
{
    private const int AtEmptyPath = 0x1000;

    /// <summary>fstat(2) by statx with an empty path.</summary>
    public static unsafe Errno TryStatus(SafeFd fd, out FileStatus status)
    {
        Libc.Statx st;
        if (Libc.StatX(fd.Fd, string.Empty, AtEmptyPath, Libc.STATX_BASIC_STATS, &st) != 0)
        {
            status = default;
            return LastErrno();
        }

        status = new FileStatus(st.Uid, st.Gid, st.Mode, st.Nlink, st.Size);
        return Errno.None;
    }

    /// <summary>stat(2): follows symbolic links, as a check of a directory must.</summary>
    public static unsafe Errno TryStatusFollow(string path, out FileStatus status)
    {
        Libc.Statx st;
        if (Libc.StatX(Libc.AT_FDCWD, path, 0, Libc.STATX_BASIC_STATS, &st) != 0)
        {
            status = default;
            return LastErrno();
        }

        status = new FileStatus(st.Uid, st.Gid, st.Mode, st.Nlink, st.Size);
        return Errno.None;
    }

    /// <summary>Opens for reading without following a final symbolic link and without blocking on a FIFO.</summary>
    public static Errno TryOpenReadNonBlocking(string path, out SafeFd? fd) =>
        TryOpen(path, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_NONBLOCK, 0, out fd);
}
