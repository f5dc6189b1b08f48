// What a finished handshake negotiated and what the peer showed: the log's "smtp tls ciphers=",
// the Received header's comment, the cert-check line and client-certificate identity.
namespace Smtpd.Tls;

internal sealed record TlsSessionInfo(
    string Version,
    string Cipher,
    int Bits,
    string? ServerName,
    string? PeerSubject,
    string? PeerFingerprint,
    bool PeerVerified)
{
    /// <summary>With DANE: the depth of the certificate a TLSA record matched (0: the server's own), else -1.</summary>
    public int DaneDepth { get; init; } = -1;

    /// <summary>OpenSSL's verdict on the peer's chain ("ok", "certificate has expired"), for the logs.</summary>
    public string VerifyText { get; init; } = string.Empty;

    /// <summary>OpenSMTPD's tls_to_text: "TLSv1.3:TLS_AES_256_GCM_SHA384:256".</summary>
    public string Text => Version + ":" + Cipher + ":" + Bits.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
