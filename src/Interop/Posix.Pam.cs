// A password check through PAM, as OpenSMTPD portable's parent_auth_pam() does it: pam_start for
// the service and user, pam_authenticate with a conversation that answers the one prompt with
// the password, pam_acct_mgmt (expired or locked accounts), pam_end. Unlike OpenSMTPD, an empty
// password never passes (PAM_DISALLOW_NULL_AUTHTOK): Debian's common-auth has pam_unix nullok,
// meant for console logins, not for a network service.
// Behaviour reference: usr.sbin/smtpd/smtpd.c (pam_conv_password, parent_auth_pam).
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Smtpd.Interop;

internal enum PamVerdict
{
    Ok,

    /// <summary>Wrong password, unknown user, account refused.</summary>
    Refused,

    /// <summary>PAM itself could not answer (PAM_SYSTEM_ERR, PAM_ABORT, PAM_AUTHINFO_UNAVAIL).</summary>
    Unavailable,
}

internal static partial class Posix
{
    private static readonly Lazy<bool> s_pamLoads = new(() =>
    {
        if (!NativeLibrary.TryLoad(LibPam.Name, out nint handle))
        {
            return false;
        }

        NativeLibrary.Free(handle);
        return true;
    });

    /// <summary>Whether libpam can be loaded on this machine.</summary>
    public static bool PamAvailable => s_pamLoads.Value;

    /// <summary>
    /// Authenticates <paramref name="user"/> with <paramref name="password"/> (the client's bytes)
    /// for PAM service <paramref name="service"/>. Blocks for as long as the modules take
    /// (pam_unix waits about two seconds after a failure): call it off any event loop.
    /// </summary>
    public static unsafe PamVerdict PamAuthenticate(string service, string user, ReadOnlySpan<byte> password)
    {
        if (password.Contains((byte)0) || user.Contains('\0', StringComparison.Ordinal))
        {
            return PamVerdict.Refused;
        }

        byte[] svc = [.. Encoding.UTF8.GetBytes(service), 0];
        byte[] name = [.. Encoding.Latin1.GetBytes(user), 0];
        byte[] secret = new byte[password.Length + 1];
        password.CopyTo(secret);
        try
        {
            fixed (byte* s = svc, n = name, p = secret)
            {
                var conv = new LibPam.PamConv { Conv = &AnswerWithPassword, AppdataPtr = p };
                void* pamh = null;
                int rc = LibPam.Start(s, n, &conv, &pamh);
                if (rc == LibPam.PAM_SUCCESS)
                {
                    rc = LibPam.Authenticate(pamh, LibPam.PAM_DISALLOW_NULL_AUTHTOK);
                }

                if (rc == LibPam.PAM_SUCCESS)
                {
                    rc = LibPam.AcctMgmt(pamh, LibPam.PAM_DISALLOW_NULL_AUTHTOK);
                }

                if (pamh != null)
                {
                    // Its status says only whether the handle was valid, which it was.
                    _ = LibPam.End(pamh, rc);
                }

                return rc switch
                {
                    LibPam.PAM_SUCCESS => PamVerdict.Ok,
                    LibPam.PAM_SYSTEM_ERR or LibPam.PAM_ABORT or LibPam.PAM_AUTHINFO_UNAVAIL => PamVerdict.Unavailable,
                    _ => PamVerdict.Refused,
                };
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>
    /// The conversation: one message at a time (as OpenSMTPD's), a prompt answered with the
    /// password, an informational message with nothing. PAM frees the answers with free(3),
    /// so they come from malloc (NativeMemory).
    /// </summary>
    [UnmanagedCallersOnly]
    private static unsafe int AnswerWithPassword(int count, LibPam.PamMessage** messages, LibPam.PamResponse** responses, void* password)
    {
        if (count != 1)
        {
            return LibPam.PAM_CONV_ERR;
        }

        var response = (LibPam.PamResponse*)NativeMemory.AllocZeroed((nuint)sizeof(LibPam.PamResponse));
        int style = messages[0]->MsgStyle;
        if (style is LibPam.PAM_PROMPT_ECHO_OFF or LibPam.PAM_PROMPT_ECHO_ON)
        {
            ReadOnlySpan<byte> secret = MemoryMarshal.CreateReadOnlySpanFromNullTerminated((byte*)password);
            byte* copy = (byte*)NativeMemory.Alloc((nuint)secret.Length + 1);
            secret.CopyTo(new Span<byte>(copy, secret.Length));
            copy[secret.Length] = 0;
            response->Resp = copy;
        }

        *responses = response;
        return LibPam.PAM_SUCCESS;
    }
}
