// Non-throwing path operations: each returns the errno, because in the queue a failure such as
// ENOSPC or EIO is a temporary failure to report, not a reason to die.
using System.Runtime.InteropServices;
using Tmds.Linux;

namespace Smtpd.Interop;

internal static partial class Posix
{
    public static Errno TryRename(string from, string to) =>
        Libc.Rename(from, to) == 0 ? Errno.None : LastErrno();

    /// <summary>
    /// Renames without ever replacing: EEXIST when <paramref name="to"/> exists. renameat2's
    /// RENAME_NOREPLACE where the filesystem has it, else link(2) then unlink(2).
    /// </summary>
    public static Errno TryRenameNoReplace(string from, string to)
    {
        if (Libc.RenameAt2(LibC.AT_FDCWD, from, LibC.AT_FDCWD, to, Libc.RENAME_NOREPLACE) == 0)
        {
            return Errno.None;
        }

        Errno e = LastErrno();
        if (e is not (Errno.EINVAL or Errno.ENOSYS))
        {
            return e;
        }

        e = TryLink(from, to);
        return e == Errno.None ? TryUnlink(from) : e;
    }

    /// <summary>link(2): unlike rename, fails with EEXIST instead of replacing the target.</summary>
    public static unsafe Errno TryLink(string from, string to)
    {
        fixed (byte* f = CString.Of(from), t = CString.Of(to))
        {
            return LibC.link(f, t) == 0 ? Errno.None : LastErrno();
        }
    }

    public static unsafe Errno TryUnlink(string path)
    {
        fixed (byte* p = CString.Of(path))
        {
            return LibC.unlink(p) == 0 ? Errno.None : LastErrno();
        }
    }

    public static unsafe Errno TryRmdir(string path)
    {
        fixed (byte* p = CString.Of(path))
        {
            return LibC.rmdir(p) == 0 ? Errno.None : LastErrno();
        }
    }

    /// <summary>mkdir(2) alone: the mode is subject to the umask, as OpenSMTPD's queue relies on.</summary>
    public static unsafe Errno TryMkdir(string path, uint mode)
    {
        fixed (byte* p = CString.Of(path))
        {
            return LibC.mkdir(p, (ushort)mode) == 0 ? Errno.None : LastErrno();
        }
    }

    /// <summary>Opens a directory for fsync or syncfs.</summary>
    public static Errno TryOpenDirectory(string path, out SafeFd? fd) =>
        TryOpen(path, Libc.O_RDONLY | Libc.O_DIRECTORY, 0, out fd);

    /// <summary>Opens an existing file read-only, refusing a symbolic link in the last component.</summary>
    public static Errno TryOpenRead(string path, out SafeFd? fd) =>
        TryOpen(path, Libc.O_RDONLY | Libc.O_NOFOLLOW, 0, out fd);

    /// <summary>Creates a new file for reading and writing; EEXIST if the name is taken (O_EXCL also refuses symbolic links).</summary>
    public static Errno TryCreateExclusive(string path, uint mode, out SafeFd? fd) =>
        TryOpen(path, Libc.O_RDWR | Libc.O_CREAT | Libc.O_EXCL, mode, out fd);

    /// <summary>
    /// An unnamed file in <paramref name="dir"/> (O_TMPFILE), open for writing; it disappears on
    /// close unless TryLinkOpenFile gives it a name. EOPNOTSUPP (or EISDIR, EINVAL on older
    /// kernels) where the filesystem cannot.
    /// </summary>
    public static Errno TryCreateUnnamed(string dir, uint mode, out SafeFd? fd) =>
        TryOpen(dir, Libc.O_WRONLY | LibC.O_TMPFILE, mode, out fd);

    /// <summary>
    /// Gives an open file a name (linkat through /proc/self/fd, which needs no privilege, unlike
    /// AT_EMPTY_PATH). EEXIST when the name is taken.
    /// </summary>
    public static unsafe Errno TryLinkOpenFile(SafeFd fd, string path)
    {
        string proc = "/proc/self/fd/" + fd.Fd.ToString(System.Globalization.CultureInfo.InvariantCulture);
        fixed (byte* f = CString.Of(proc), t = CString.Of(path))
        {
            return LibC.linkat(LibC.AT_FDCWD, f, LibC.AT_FDCWD, t, LibC.AT_SYMLINK_FOLLOW) < 0 ? LastErrno() : Errno.None;
        }
    }

    /// <summary>Opens an existing file for reading and writing, refusing a symbolic link in the last component.</summary>
    public static Errno TryOpenReadWrite(string path, out SafeFd? fd) =>
        TryOpen(path, Libc.O_RDWR | Libc.O_NOFOLLOW, 0, out fd);

    /// <summary>open(2), always close-on-exec; <paramref name="fd"/> is null on failure.</summary>
    private static unsafe Errno TryOpen(string path, int flags, uint mode, out SafeFd? fd)
    {
        int n;
        fixed (byte* p = CString.Of(path))
        {
            n = LibC.open(p, flags | LibC.O_CLOEXEC, (ushort)mode);
        }

        if (n < 0)
        {
            fd = null;
            return LastErrno();
        }

        fd = new SafeFd(n);
        return Errno.None;
    }

    /// <summary>lstat-like status with the errno when it fails (ENOENT tells "absent" from "broken").</summary>
    public static Errno TryStatus(string path, out FileStatus status) =>
        StatX(LibC.AT_FDCWD, path, LibC.AT_SYMLINK_NOFOLLOW, out status);

    /// <summary>
    /// The errno the last call left: our imports and Tmds.LibC's both capture it (SetLastError)
    /// into the same per-thread slot, which Tmds' LibC.errno reads too.
    /// </summary>
    private static Errno LastErrno() => (Errno)Marshal.GetLastPInvokeError();
}
