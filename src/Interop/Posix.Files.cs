// Directory creation with exact owner and mode, as OpenSMTPD's ckdir() insists on.
using Tmds.Linux;

namespace Smtpd.Interop;

internal static partial class Posix
{
    /// <summary>Creates <paramref name="path"/> if missing, then sets its mode and (when given) owner.</summary>
    public static unsafe void EnsureDirectory(string path, uint mode, uint? uid = null, uint? gid = null)
    {
        Errno e = TryMkdir(path, mode);
        if (e is not (Errno.None or Errno.EEXIST))
        {
            throw new PosixException((int)e, "mkdir " + path);
        }

        if (!Directory.Exists(path))
        {
            throw new PosixException((int)Errno.ENOTDIR, path);
        }

        if (uid is not null)
        {
            Chown(path, uid.Value, gid ?? uint.MaxValue);
        }

        fixed (byte* p = CString.Of(path))
        {
            if (LibC.chmod(p, (ushort)mode) != 0)
            {
                PosixException.ThrowLast("chmod " + path);
            }
        }
    }

    /// <summary>lstat-like: the link itself when <paramref name="path"/> is a symbolic link.</summary>
    public static FileStatus? TryLStat(string path) =>
        TryStatus(path, out FileStatus status) == Errno.None ? status : null;

    /// <summary>lchown: sets owner and group of <paramref name="path"/> itself, never of a link's target.</summary>
    public static unsafe void Chown(string path, uint uid, uint gid)
    {
        fixed (byte* p = CString.Of(path))
        {
            if (LibC.lchown(p, uid, gid) != 0)
            {
                PosixException.ThrowLast("chown " + path);
            }
        }
    }
}
