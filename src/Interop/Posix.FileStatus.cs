// Status of an open descriptor, and of a path through symbolic links: what the parent needs to
// check a ~/.forward it opened (and the home directory above it) without racing a rename.
// Behaviour reference: usr.sbin/smtpd/util.c secure_file().
using Tmds.Linux;

namespace Smtpd.Interop;

internal static partial class Posix
{
    /// <summary>fstat(2) by statx with an empty path.</summary>
    public static Errno TryStatus(SafeFd fd, out FileStatus status) =>
        StatX(fd.Fd, string.Empty, LibC.AT_EMPTY_PATH, out status);

    /// <summary>stat(2): follows symbolic links, as a check of a directory must.</summary>
    public static Errno TryStatusFollow(string path, out FileStatus status) =>
        StatX(LibC.AT_FDCWD, path, 0, out status);

    /// <summary>statx(2), which has one layout on every architecture (unlike struct stat).</summary>
    private static unsafe Errno StatX(int dirFd, string path, int flags, out FileStatus status)
    {
        statx st;
        int rc;
        fixed (byte* p = CString.Of(path))
        {
            rc = LibC.statx(dirFd, p, flags, LibC.STATX_BASIC_STATS, &st);
        }

        if (rc != 0)
        {
            status = default;
            return LastErrno();
        }

        status = new FileStatus(st.stx_uid, st.stx_gid, st.stx_mode, st.stx_nlink, st.stx_size);
        return Errno.None;
    }

    /// <summary>Opens for reading without following a final symbolic link and without blocking on a FIFO.</summary>
    public static Errno TryOpenReadNonBlocking(string path, out SafeFd? fd) =>
        TryOpen(path, Libc.O_RDONLY | Libc.O_NOFOLLOW | LibC.O_NONBLOCK, 0, out fd);
}
