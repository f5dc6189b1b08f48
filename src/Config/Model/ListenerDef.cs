// A "listen on" directive: an interface, address or group, or the local socket, with its options.
// Behaviour reference: usr.sbin/smtpd/parse.y (listen, opt_if_listen, opt_sock_listen, create_if_listener).
namespace Smtpd.Config;

internal sealed record ListenerDef
{
    /// <summary>True for "listen on socket"; then <see cref="Interface"/> is null.</summary>
    public bool IsSocket { get; init; }

    /// <summary>Interface name, interface group, address or host name.</summary>
    public string? Interface { get; init; }

    /// <summary>null (both), "inet4" or "inet6".</summary>
    public string? Family { get; init; }

    /// <summary>The port; null means the default (25, or 465 with smtps).</summary>
    public int? Port { get; init; }

    public ListenerTls Tls { get; init; }

    /// <summary>Require a valid client certificate (smtps verify, tls-require verify).</summary>
    public bool TlsVerify { get; init; }

    public ValueList<string> Pkis { get; init; } = ValueList<string>.Empty;

    public string? Ca { get; init; }

    public string? Ciphers { get; init; }

    public string? Protocols { get; init; }

    /// <summary>curves: the key-exchange groups, "X25519,P-256" (ours; OpenSMTPD has no such option).</summary>
    public string? Curves { get; init; }

    public ListenerAuth Auth { get; init; }

    public TableRef? AuthTable { get; init; }

    public string? Tag { get; init; }

    public string? Hostname { get; init; }

    public TableRef? Hostnames { get; init; }

    public bool MaskSrc { get; init; }

    public bool NoDsn { get; init; }

    public bool ProxyV2 { get; init; }

    public bool ReceivedAuth { get; init; }

    public TableRef? Senders { get; init; }

    public bool Masquerade { get; init; }

    /// <summary>
    /// Client certificates accepted by SHA-256 fingerprint (our extension: "fingerprints
    /// &lt;table&gt;"): a key is a fingerprint, its value (if any) the identity the client authenticates as.
    /// </summary>
    public TableRef? ClientFingerprints { get; init; }

    /// <summary>Certificates from a table (our extension: "pki &lt;table&gt;"): host name → "certificate-file key-file".</summary>
    public TableRef? PkiTable { get; init; }

    /// <summary>A named filter or chain.</summary>
    public string? Filter { get; init; }

    /// <summary>An anonymous chain given inline as "filter { a, b }".</summary>
    public ValueList<string> FilterChain { get; init; } = ValueList<string>.Empty;

    public SourceLocation Where { get; init; } = SourceLocation.None;
}
