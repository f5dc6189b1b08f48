// AUTH for listeners without a credentials table: the system's users. The lookup agent hands
// these checks to the parent, the one process that may read the shadow password database.
// Behaviour reference: usr.sbin/smtpd/smtpd.c (IMSG_LKA_AUTHENTICATE, parent_auth_user();
// OpenSMTPD portable's getspnam variant).
using System.Text;
using Smtpd.Interop;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Parent;

internal static class ParentAuth
{
    /// <summary>
    /// Ok when <paramref name="password"/> matches the user's shadow hash; Fail for a wrong
    /// password, an unknown user or a locked account ("!", "*": no password hashes to those);
    /// TempFail when the lookup errs (an NSS source down). Not started as root, the parent cannot
    /// read /etc/shadow and glibc answers "no such user": every check fails, as in OpenSMTPD.
    /// </summary>
    public static AuthStatus Check(string user, string password, Func<string, string?>? shadowHash = null)
    {
        string? hash;
        try
        {
            hash = (shadowHash ?? Posix.GetShadowHash)(user);
        }
        catch (PosixException e)
        {
            Log.Warn($"warn: smtpd: cannot look up system user {user} for authentication: {e.Message}");
            return AuthStatus.TempFail;
        }

        // The session decoded the client's bytes one per char.
        return hash is not null && Posix.CheckPassword(Encoding.Latin1.GetBytes(password), hash)
            ? AuthStatus.Ok
            : AuthStatus.Fail;
    }
}
