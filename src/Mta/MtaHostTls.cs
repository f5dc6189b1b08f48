// How TLS with one host is to be done beyond what the route's scheme says, from the
// secure-transport policies (smtpd.conf.5, our extensions): DANE where the host has
// DNSSEC-validated TLSA records (RFC 7672), MTA-STS where its domain publishes a policy (RFC
// 8461), or the certificate fingerprints a relay action pins (Postfix's fingerprint level).
using Smtpd.Tls;

namespace Smtpd.Mta;

internal enum MtaTlsLevel
{
    /// <summary>As the route's scheme says (opportunistic for smtp://).</summary>
    Route,

    /// <summary>TLS required, the certificate matched against the host's usable TLSA records.</summary>
    Dane,

    /// <summary>TLS required, not authenticated: the host has validated TLSA records, none usable (RFC 7672 section 2.2).</summary>
    Encrypt,

    /// <summary>TLS required, the certificate verified against the trust store and the MX name (MTA-STS enforce).</summary>
    StsEnforce,

    /// <summary>TLS tried and checked as for StsEnforce, failures only logged (MTA-STS testing).</summary>
    StsTesting,

    /// <summary>TLS required, the certificate's SHA-256 fingerprint must be in the action's table.</summary>
    Fingerprint,
}

internal sealed record MtaHostTls(MtaTlsLevel Level, IReadOnlyList<TlsaRecord> Tlsa)
{
    public static readonly MtaHostTls AsRouteSays = new(MtaTlsLevel.Route, []);

    /// <summary>Mail to this host never goes in the clear.</summary>
    public bool Required => Level is MtaTlsLevel.Dane or MtaTlsLevel.Encrypt or MtaTlsLevel.StsEnforce or MtaTlsLevel.Fingerprint;
}
