// User, shadow and group lookups with the reentrant libc calls, retried with a bigger buffer on ERANGE.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Posix
{
    private unsafe delegate int ReentrantLookup<T>(byte* buffer, nuint size, out T? value);

    public static unsafe PasswdEntry? GetPwNam(string name) =>
        WithBuffer<PasswdEntry>("getpwnam_r " + name, (byte* b, nuint size, out PasswdEntry? value) =>
        {
            Libc.Passwd pwd;
            Libc.Passwd* result;
            int rc = Libc.GetPwNamR(name, &pwd, b, size, &result);
            value = rc == 0 && result != null ? ToEntry(result) : null;
            return rc;
        });

    public static unsafe PasswdEntry? GetPwUid(uint uid) =>
        WithBuffer<PasswdEntry>("getpwuid_r", (byte* b, nuint size, out PasswdEntry? value) =>
        {
            Libc.Passwd pwd;
            Libc.Passwd* result;
            int rc = Libc.GetPwUidR(uid, &pwd, b, size, &result);
            value = rc == 0 && result != null ? ToEntry(result) : null;
            return rc;
        });

    /// <summary>
    /// The password hash /etc/shadow (or another NSS shadow source) holds for <paramref name="name"/>;
    /// null for a user without an entry. Throws when the database cannot be read (not root).
    /// </summary>
    public static unsafe string? GetShadowHash(string name) =>
        WithBuffer<string>("getspnam_r " + name, (byte* b, nuint size, out string? value) =>
        {
            Libc.Spwd sp;
            Libc.Spwd* result;
            int rc = Libc.GetSpNamR(name, &sp, b, size, &result);
            value = rc == 0 && result != null ? Marshal.PtrToStringUTF8((nint)result->Pwdp) ?? string.Empty : null;

            // glibc answers ENOENT for "no such user" where getpwnam_r answers 0 and no result.
            return rc == (int)Errno.ENOENT ? 0 : rc;
        });

    public static unsafe uint? GetGrNam(string name)
    {
        var gid = WithBuffer<StrongBox<uint>>("getgrnam_r " + name, (byte* b, nuint size, out StrongBox<uint>? value) =>
        {
            Libc.Group grp;
            Libc.Group* result;
            int rc = Libc.GetGrNamR(name, &grp, b, size, &result);
            value = rc == 0 && result != null ? new StrongBox<uint>(result->Gid) : null;
            return rc;
        });
        return gid?.Value;
    }

    /// <summary>Runs a *_r lookup with a buffer that grows while libc answers ERANGE.</summary>
    private static unsafe T? WithBuffer<T>(string what, ReentrantLookup<T> lookup)
        where T : class
    {
        for (int size = 1024; size <= 1 << 20; size *= 4)
        {
            byte[] buf = new byte[size];
            int rc;
            T? value;
            fixed (byte* b = buf)
            {
                rc = lookup(b, (nuint)size, out value);
            }

            if (rc == 0)
            {
                return value;
            }

            if (rc != (int)Errno.ERANGE)
            {
                throw new PosixException(rc, what);
            }
        }

        throw new PosixException((int)Errno.ERANGE, what);
    }

    private static unsafe PasswdEntry ToEntry(Libc.Passwd* p) => new(
        Marshal.PtrToStringUTF8((nint)p->Name) ?? string.Empty,
        p->Uid,
        p->Gid,
        Marshal.PtrToStringUTF8((nint)p->Dir) ?? string.Empty,
        Marshal.PtrToStringUTF8((nint)p->Shell) ?? string.Empty)
    {
        Gecos = Marshal.PtrToStringUTF8((nint)p->Gecos) ?? string.Empty,
    };
}
