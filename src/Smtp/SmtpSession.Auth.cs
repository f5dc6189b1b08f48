// AUTH PLAIN and AUTH LOGIN (RFC 4954): decoding the client's base64 and the reply dance; the
// credential check is the host's. CR and LF in a user name or password are refused before they
// can reach a table lookup (the 7.8.0p1 line-injection fix). A refused password is answered
// after a random pause so the timing does not tell which part was wrong.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (smtp_proceed_auth, smtp_rfc4954_auth_plain,
// smtp_rfc4954_auth_login, IMSG_SMTP_AUTHENTICATE, smtp_auth_failure_pause)
using System.Text;
using Smtpd.Mime;

namespace Smtpd.Smtp;

internal sealed partial class SmtpSession
{
    /// <summary>The decoded PLAIN response must fit in 1023 bytes, a LOGIN password in LINE_MAX - 1.</summary>
    private const int MaxPlainLength = 1023;
    private const int MaxPasswordLength = 2047;
    private const int MaxUsernameLength = 255;

    /// <summary>The name given to AUTH LOGIN while its password is awaited. It becomes
    /// <see cref="Username"/> only once the credentials are accepted: a refused AUTH must leave
    /// the session exactly as unauthenticated as before (rules, envelopes and Received read Username).</summary>
    private string _authLoginUser = string.Empty;

    internal async ValueTask ProceedAuthAsync(string args, CancellationToken cancellationToken)
    {
        int split = args.IndexOf(' ', StringComparison.Ordinal);
        if (split < 0)
        {
            split = args.IndexOf('\t', StringComparison.Ordinal);
        }

        string method = split < 0 ? args : args[..split];
        string? initial = split < 0 ? null : args[(split + 1)..];
        if (method.Equals("PLAIN", StringComparison.OrdinalIgnoreCase))
        {
            await AuthPlainAsync(initial, cancellationToken);
        }
        else if (method.Equals("LOGIN", StringComparison.OrdinalIgnoreCase))
        {
            await AuthLoginAsync(initial, cancellationToken);
        }
        else
        {
            Reply("504 " + EnhancedStatus.ReplyText(EnhancedStatusClass.PermFail, EnhancedStatusCode.SecurityFeaturesNotSupported) + ": AUTH method \"" + method + "\" not supported");
        }
    }

    private async ValueTask AuthPlainAsync(string? response, CancellationToken cancellationToken)
    {
        if (_state == SmtpState.Helo)
        {
            EnterState(SmtpState.AuthInit);
            if (response is null)
            {
                Reply("334 ");
                return;
            }
        }

        // authzid NUL authcid NUL passwd; the authorization identity is ignored.
        byte[]? decoded = DecodeBase64(response, MaxPlainLength);
        int userStart = decoded is null ? -1 : Array.IndexOf(decoded, (byte)0) + 1;
        if (decoded is null || userStart <= 0 || userStart > decoded.Length - 2)
        {
            AuthSyntaxError();
            return;
        }

        int userEnd = Array.IndexOf(decoded, (byte)0, userStart);
        if (userEnd < 0 || userEnd >= decoded.Length - 1 || userEnd - userStart > MaxUsernameLength)
        {
            AuthSyntaxError();
            return;
        }

        int passEnd = Array.IndexOf(decoded, (byte)0, userEnd + 1);
        string user = Encoding.Latin1.GetString(decoded, userStart, userEnd - userStart);
        string pass = Encoding.Latin1.GetString(decoded, userEnd + 1, (passEnd < 0 ? decoded.Length : passEnd) - userEnd - 1);
        if (HasLineBreak(user) || HasLineBreak(pass))
        {
            AuthSyntaxError();
            return;
        }

        await AuthenticateAsync(user, pass, cancellationToken);
    }

    private async ValueTask AuthLoginAsync(string? response, CancellationToken cancellationToken)
    {
        switch (_state)
        {
            case SmtpState.Helo:
                EnterState(SmtpState.AuthUsername);
                if (!string.IsNullOrEmpty(response))
                {
                    await AuthLoginAsync(response, cancellationToken);
                    return;
                }

                Reply("334 VXNlcm5hbWU6");
                return;

            case SmtpState.AuthUsername:
                byte[]? name = DecodeBase64(response, MaxUsernameLength);
                string user = name is null ? string.Empty : CString(name);
                if (name is null || HasLineBreak(user))
                {
                    AuthSyntaxError();
                    return;
                }

                _authLoginUser = user;
                EnterState(SmtpState.AuthPassword);
                Reply("334 UGFzc3dvcmQ6");
                return;

            default:
                byte[]? secret = DecodeBase64(response, MaxPasswordLength);
                string pass = secret is null ? string.Empty : CString(secret);
                if (secret is null || HasLineBreak(pass))
                {
                    AuthSyntaxError();
                    return;
                }

                await AuthenticateAsync(_authLoginUser, pass, cancellationToken);
                return;
        }
    }

    private async ValueTask AuthenticateAsync(string user, string pass, CancellationToken cancellationToken)
    {
        SmtpLookupResult result = await _host.AuthenticateAsync(this, user, pass, cancellationToken);
        switch (result)
        {
            case SmtpLookupResult.Ok:
                _host.Log(SmtpLog.Authentication(Id, user, "ok"));
                Username = user;
                Report("link-auth", "pass", user);
                Flags |= SmtpSessionFlags.Authenticated;
                Reply("235 " + OkCode + " Authentication succeeded");
                break;
            case SmtpLookupResult.PermFail:
                _host.Log(SmtpLog.Authentication(Id, user, "permfail"));
                Report("link-auth", "fail", user);
                if (Options.AuthFailureDelay > TimeSpan.Zero)
                {
                    // Replies written so far go out first; the pause is for this answer only.
                    await FlushRepliesAsync(cancellationToken);
                    long ticks = Random.Shared.NextInt64(Options.AuthFailureDelay.Ticks);
                    await Task.Delay(TimeSpan.FromTicks(ticks), _time, cancellationToken);
                }

                if (++_authFailures >= Options.MaxAuthFailures)
                {
                    // Guessing passwords ends here; the client may come back later.
                    Reply("421 " + EnhancedStatus.Format(EnhancedStatusClass.TempFail, EnhancedStatusCode.OtherSecurityStatus) + " " + ServerName + " Too many authentication failures, closing connection");
                    DisconnectReason = "too-many-auth-failures";
                    _authLoginUser = string.Empty;
                    EnterState(SmtpState.Quit);
                    return;
                }

                Reply("535 Authentication failed");
                break;
            default:
                _host.Log(SmtpLog.Authentication(Id, user, "tempfail"));
                Reply("421 " + TempFailCode + " Temporary failure");
                break;
        }

        _authLoginUser = string.Empty;
        EnterState(SmtpState.Helo);
    }

    private void AuthSyntaxError()
    {
        Reply("501 " + EnhancedStatus.ReplyText(EnhancedStatusClass.PermFail, EnhancedStatusCode.SyntaxError) + ": Syntax error");
        EnterState(SmtpState.Helo);
    }

    /// <summary>Decodes base64 text (whitespace ignored) of at most <paramref name="max"/> bytes, or null.</summary>
    private static byte[]? DecodeBase64(string? text, int max)
    {
        if (text is null)
        {
            return null;
        }

        byte[] buffer = new byte[(text.Length / 4 * 3) + 3];
        if (!Convert.TryFromBase64String(text, buffer, out int written) || written > max)
        {
            return null;
        }

        return buffer[..written];
    }

    /// <summary>The text up to the first NUL, as C code sees a decoded buffer.</summary>
    private static string CString(byte[] bytes)
    {
        int nul = Array.IndexOf(bytes, (byte)0);
        return Encoding.Latin1.GetString(bytes, 0, nul < 0 ? bytes.Length : nul);
    }

    private static bool HasLineBreak(string s) => s.AsSpan().ContainsAny('\r', '\n');
}
