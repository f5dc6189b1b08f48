// An "action" declaration: a named delivery method with its local or relay options.
// Behaviour reference: usr.sbin/smtpd/parse.y (dispatcher, dispatcher_local, dispatcher_remote).
namespace Smtpd.Config;

internal sealed record ActionDef
{
    public required string Name { get; init; }

    public required ActionMethod Method { get; init; }

    // Local delivery.
    public string? MaildirPath { get; init; }

    public bool Junk { get; init; }

    public string? LmtpDestination { get; init; }

    public bool LmtpRcptTo { get; init; }

    public string? MdaCommand { get; init; }

    public TableRef? Alias { get; init; }

    public TableRef? Virtual { get; init; }

    public TableRef? Userbase { get; init; }

    public string? User { get; init; }

    public string? Wrapper { get; init; }

    // Relay.
    public TableRef? Host { get; init; }

    public TableRef? Domain { get; init; }

    public bool Backup { get; init; }

    public string? BackupMx { get; init; }

    public string? Helo { get; init; }

    public TableRef? HeloSrc { get; init; }

    public string? Pki { get; init; }

    public string? Ca { get; init; }

    public string? Ciphers { get; init; }

    public string? Protocols { get; init; }

    public TableRef? Src { get; init; }

    public string? MailFrom { get; init; }

    public RelayTls Tls { get; init; }

    public TableRef? Auth { get; init; }

    /// <summary>`tls fingerprint &lt;table&gt;`: the SHA-256 fingerprints of the peer certificates taken.</summary>
    public TableRef? Fingerprints { get; init; }

    /// <summary>`mta-sts`: MX delivery honours the destination's MTA-STS policy (RFC 8461).</summary>
    public bool MtaSts { get; init; }

    public string? Filter { get; init; }

    public ValueList<string> FilterChain { get; init; } = ValueList<string>.Empty;

    public bool Srs { get; init; }

    /// <summary>Queue lifetime of envelopes using this action, in seconds.</summary>
    public int? Ttl { get; init; }

    public SourceLocation Where { get; init; } = SourceLocation.None;

    public bool IsRelay => Method == ActionMethod.Relay;
}
