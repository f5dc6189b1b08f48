// A finished TLS handshake: the encrypted transport replaces the plaintext one, and the
// negotiated parameters go into the log ("smtp tls ciphers=") and the Received header.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (IO_TLSREADY, smtp_message_begin)
using System.IO.Pipelines;

namespace Smtpd.Smtp;

internal sealed record SmtpTlsResult(IDuplexPipe Transport, string Version, string Cipher, int Bits, bool Verified)
{
    /// <summary>tls_to_text: "TLSv1.3:TLS_AES_256_GCM_SHA384:256".</summary>
    /// <summary>The client certificate's subject ("/CN=client.example.org"), if it sent one.</summary>
    public string? PeerSubject { get; init; }

    /// <summary>The client certificate's "SHA256:..." fingerprint, if it sent one.</summary>
    public string? PeerFingerprint { get; init; }

    /// <summary>The certificate was accepted by its fingerprint; the identity it authenticates as (the table's value or the CN).</summary>
    public string? PinnedIdentity { get; init; }

    public string Ciphers => Version + ":" + Cipher + ":" + Bits.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
