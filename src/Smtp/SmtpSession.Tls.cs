// STARTTLS and smtps: the handshake itself is the host's; the session discards plaintext that
// came before it, swaps in the encrypted transport and forgets the client's HELO.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (smtp_tls_init, IO_TLSREADY, smtp_tls_started)
namespace Smtpd.Smtp;

internal sealed partial class SmtpSession
{
    /// <summary>Hands the transport to the host for the handshake; false when it failed.</summary>
    private async ValueTask<bool> StartTlsAsync(CancellationToken cancellationToken)
    {
        SmtpTlsResult? tls = await _host.StartTlsAsync(this, cancellationToken);
        if (tls is null)
        {
            return false;
        }

        _transport = tls.Transport;
        Tls = tls;
        _host.Log(SmtpLog.Tls(Id, tls.Ciphers));
        Flags |= SmtpSessionFlags.Secure;
        Report("link-tls", tls.Ciphers);
        if (tls.Verified)
        {
            Flags |= SmtpSessionFlags.Verified;
        }

        // RFC 3207: the client starts over, so does the session (EHLO again, no transaction).
        Helo = string.Empty;
        Flags &= SmtpSessionFlags.Secure | SmtpSessionFlags.Authenticated | SmtpSessionFlags.Verified;
        if (tls.PeerFingerprint is not null)
        {
            _host.Log(SmtpLog.CertCheck(Id, tls.Verified, tls.PeerFingerprint));
            if (tls.PinnedIdentity is { } pinned)
            {
                _host.Log(SmtpLog.CertPinned(Id, tls.PeerFingerprint, pinned));
                Username = pinned;
                Flags |= SmtpSessionFlags.Authenticated;
                _host.Log(SmtpLog.Authentication(Id, pinned, "ok"));
            }
            else if (tls.Verified && tls.PeerSubject is not null)
            {
                _host.Log(SmtpLog.CertSubject(Id, tls.PeerSubject));
                if (Options.CertificateAuth && CommonName(tls.PeerSubject) is { Length: > 0 } user)
                {
                    Username = user;
                    Flags |= SmtpSessionFlags.Authenticated;
                    _host.Log(SmtpLog.Authentication(Id, user, "ok"));
                }
            }
        }

        if (Options.Smtps && !_bannerSent)
        {
            SendBanner();
        }
        else
        {
            EnterState(SmtpState.Helo);
        }

        return true;
    }

    /// <summary>The CN of a one-line subject ("/C=FR/CN=client.example.net"), or null.</summary>
    internal static string? CommonName(string subject)
    {
        foreach (string part in subject.Split('/'))
        {
            if (part.StartsWith("CN=", StringComparison.Ordinal))
            {
                return part[3..];
            }
        }

        return null;
    }
}
