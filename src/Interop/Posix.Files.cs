// Directory creation with exact owner and mode, as OpenSMTPD's ckdir() insists on.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Posix
{
    /// <summary>Creates <paramref name="path"/> if missing, then sets its mode and (when given) owner.</summary>
    public static void EnsureDirectory(string path, uint mode, uint? uid = null, uint? gid = null)
    {
        if (Libc.Mkdir(path, mode) != 0 && Marshal.GetLastPInvokeError() != (int)Errno.EEXIST)
        {
            PosixException.ThrowLast("mkdir " + path);
        }

        if (!Directory.Exists(path))
        {
            throw new PosixException((int)Errno.ENOTDIR, path);
        }

        if (uid is not null && Libc.LChown(path, uid.Value, gid ?? uint.MaxValue) != 0)
        {
            PosixException.ThrowLast("chown " + path);
        }

        if (Libc.Chmod(path, mode) != 0)
        {
            PosixException.ThrowLast("chmod " + path);
        }
    }

    /// <summary>lstat-like: the link itself when <paramref name="path"/> is a symbolic link.</summary>
    public static unsafe FileStatus? TryLStat(string path)
    {
        Libc.Statx st;
        if (Libc.StatX(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, &st) != 0)
        {
            return null;
        }

        return new FileStatus(st.Uid, st.Gid, st.Mode, st.Nlink, st.Size);
    }

    /// <summary>lchown: sets owner and group of <paramref name="path"/> itself, never of a link's target.</summary>
    public static void Chown(string path, uint uid, uint gid)
    {
        if (Libc.LChown(path, uid, gid) != 0)
        {
            PosixException.ThrowLast("chown " + path);
        }
    }
}
