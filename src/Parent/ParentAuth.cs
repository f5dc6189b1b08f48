// AUTH for listeners without a credentials table: the system's users. The lookup agent hands
// these checks to the parent, the one process that may read the shadow password database.
// As Debian's OpenSMTPD (built --with-auth-pam), the check goes through PAM, service "smtpd",
// when libpam loads and the service has its file (/etc/pam.d/smtpd, which the packages ship);
// otherwise the shadow hash is checked directly, as OpenSMTPD portable's getspnam variant does.
// Behaviour reference: usr.sbin/smtpd/smtpd.c (IMSG_LKA_AUTHENTICATE, parent_auth_user(),
// parent_auth_pam(), parent_auth_getspnam()).
using System.Text;
using Smtpd.Interop;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Parent;

internal static class ParentAuth
{
    /// <summary>The PAM service name, as OpenSMTPD's configure default (USE_PAM_SERVICE).</summary>
    public const string PamService = "smtpd";

    /// <summary>Where Linux-PAM looks for a service's file: the admin's directory, then the vendor's.</summary>
    private static readonly string[] s_pamServiceFiles = ["/etc/pam.d/" + PamService, "/usr/lib/pam.d/" + PamService];

    /// <summary>Whether system users are checked through PAM: libpam loads and the service is configured.</summary>
    public static bool UsesPam => Posix.PamAvailable && s_pamServiceFiles.Any(File.Exists);

    /// <summary>
    /// A system user's password check, through PAM or the shadow file (<see cref="UsesPam"/>).
    /// PAM may take seconds (pam_unix pauses after a failure): call it off the event loop.
    /// </summary>
    public static AuthStatus CheckSystemUser(string user, string password)
    {
        if (!UsesPam)
        {
            Log.Debug($"debug: smtpd: authenticating system user {user} against the shadow file");
            return Check(user, password);
        }

        Log.Debug($"debug: smtpd: authenticating system user {user} with PAM service {PamService}");

        // The session decoded the client's bytes one per char.
        return Posix.PamAuthenticate(PamService, user, Encoding.Latin1.GetBytes(password)) switch
        {
            PamVerdict.Ok => AuthStatus.Ok,
            PamVerdict.Unavailable => AuthStatus.TempFail,
            _ => AuthStatus.Fail,
        };
    }

    /// <summary>
    /// The shadow check. Ok when <paramref name="password"/> matches the user's shadow hash; Fail for
    /// a wrong password, an unknown user or a locked account ("!", "*": no password hashes to those);
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
