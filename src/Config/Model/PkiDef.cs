// A "pki" block: certificate, key and Diffie-Hellman parameters selected by a name.
// Behaviour reference: usr.sbin/smtpd/parse.y (pki, pki_params).
namespace Smtpd.Config;

internal sealed record PkiDef
{
    public required string Name { get; init; }

    public string? Cert { get; init; }

    public string? Key { get; init; }

    /// <summary>"none", "auto" or "legacy"; null when not given (OpenSMTPD then uses none).</summary>
    public string? Dhe { get; init; }

    /// <summary>Staple OCSP responses fetched from the certificate's responder (our extension: "pki NAME ocsp").</summary>
    public bool Ocsp { get; init; }

    public SourceLocation Where { get; init; } = SourceLocation.None;
}
