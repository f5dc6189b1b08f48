// User and group lookups with the reentrant libc calls, retried with a bigger buffer on ERANGE.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Posix
{
    public static unsafe PasswdEntry? GetPwNam(string name)
    {
        for (int size = 1024; size <= 1 << 20; size *= 4)
        {
            byte[] buf = new byte[size];
            Libc.Passwd pwd;
            Libc.Passwd* result;
            int rc;
            fixed (byte* b = buf)
            {
                rc = Libc.GetPwNamR(name, &pwd, b, (nuint)size, &result);
                if (rc == 0)
                {
                    return result == null ? null : ToEntry(result);
                }
            }

            if (rc != (int)Errno.ERANGE)
            {
                throw new PosixException(rc, "getpwnam_r " + name);
            }
        }

        throw new PosixException((int)Errno.ERANGE, "getpwnam_r " + name);
    }

    public static unsafe PasswdEntry? GetPwUid(uint uid)
    {
        for (int size = 1024; size <= 1 << 20; size *= 4)
        {
            byte[] buf = new byte[size];
            Libc.Passwd pwd;
            Libc.Passwd* result;
            int rc;
            fixed (byte* b = buf)
            {
                rc = Libc.GetPwUidR(uid, &pwd, b, (nuint)size, &result);
                if (rc == 0)
                {
                    return result == null ? null : ToEntry(result);
                }
            }

            if (rc != (int)Errno.ERANGE)
            {
                throw new PosixException(rc, "getpwuid_r");
            }
        }

        throw new PosixException((int)Errno.ERANGE, "getpwuid_r");
    }

    public static unsafe uint? GetGrNam(string name)
    {
        for (int size = 1024; size <= 1 << 20; size *= 4)
        {
            byte[] buf = new byte[size];
            Libc.Group grp;
            Libc.Group* result;
            int rc;
            fixed (byte* b = buf)
            {
                rc = Libc.GetGrNamR(name, &grp, b, (nuint)size, &result);
                if (rc == 0)
                {
                    return result == null ? null : result->Gid;
                }
            }

            if (rc != (int)Errno.ERANGE)
            {
                throw new PosixException(rc, "getgrnam_r " + name);
            }
        }

        throw new PosixException((int)Errno.ERANGE, "getgrnam_r " + name);
    }

    private static unsafe PasswdEntry ToEntry(Libc.Passwd* p) => new(
        Marshal.PtrToStringUTF8((nint)p->Name) ?? string.Empty,
        p->Uid,
        p->Gid,
        Marshal.PtrToStringUTF8((nint)p->Dir) ?? string.Empty,
        Marshal.PtrToStringUTF8((nint)p->Shell) ?? string.Empty);
}
