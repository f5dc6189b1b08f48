// The whole parsed configuration: immutable, compared by value, printable and serializable.
// Behaviour reference: usr.sbin/smtpd/parse.y (what parse_config fills into struct smtpd), smtpd.h.
namespace Smtpd.Config;

internal sealed record SmtpdConfig
{
    public ValueList<TableDef> Tables { get; init; } = ValueList<TableDef>.Empty;

    public ValueList<PkiDef> Pkis { get; init; } = ValueList<PkiDef>.Empty;

    public ValueList<CaDef> Cas { get; init; } = ValueList<CaDef>.Empty;

    public ValueList<ProcDef> Procs { get; init; } = ValueList<ProcDef>.Empty;

    public ValueList<FilterDef> Filters { get; init; } = ValueList<FilterDef>.Empty;

    public ValueList<ListenerDef> Listeners { get; init; } = ValueList<ListenerDef>.Empty;

    public ValueList<ActionDef> Actions { get; init; } = ValueList<ActionDef>.Empty;

    public ValueList<MatchRule> Rules { get; init; } = ValueList<MatchRule>.Empty;

    public ValueList<MdaWrapperDef> MdaWrappers { get; init; } = ValueList<MdaWrapperDef>.Empty;

    public ValueList<LimitSetting> MdaLimits { get; init; } = ValueList<LimitSetting>.Empty;

    public ValueList<MtaLimitDef> MtaLimits { get; init; } = ValueList<MtaLimitDef>.Empty;

    public ValueList<LimitSetting> SchedulerLimits { get; init; } = ValueList<LimitSetting>.Empty;

    public ValueList<LimitSetting> SmtpLimits { get; init; } = ValueList<LimitSetting>.Empty;

    public string? Admd { get; init; }

    /// <summary>Delays, in seconds, after which a warning bounce is sent; empty means the default.</summary>
    public ValueList<int> BounceWarnIntervals { get; init; } = ValueList<int>.Empty;

    public long? MtaMaxDeferred { get; init; }

    /// <summary>`mta tls dane`: relay actions to MX hosts without a tls option of their own use DANE.</summary>
    public bool MtaDane { get; init; }

    /// <summary>`mta mta-sts`: every relay action to MX hosts honours MTA-STS policies.</summary>
    public bool MtaSts { get; init; }

    public bool QueueCompression { get; init; }

    public bool QueueEncryption { get; init; }

    /// <summary>The queue encryption key, or "stdin" to read it at start.</summary>
    public string? QueueKey { get; init; }

    /// <summary>Queue lifetime in seconds.</summary>
    public int? QueueTtl { get; init; }

    public string? SmtpCiphers { get; init; }

    public long? SmtpMaxMessageSize { get; init; }

    public string? SmtpSubAddrDelim { get; init; }

    public string? SrsKey { get; init; }

    public string? SrsKeyBackup { get; init; }

    /// <summary>SRS lifetime in seconds (OpenSMTPD keeps whole days).</summary>
    public int? SrsTtl { get; init; }

    // Where some global statements were written, for the warnings about what is not supported yet
    // (ConfigChecker.Unsupported). Locations compare equal and are not serialized: the parent alone reports them.
    public SourceLocation AdmdWhere { get; init; } = SourceLocation.None;

    public SourceLocation MtaMaxDeferredWhere { get; init; } = SourceLocation.None;

    public SourceLocation SmtpCiphersWhere { get; init; } = SourceLocation.None;

    /// <summary>The first srs statement.</summary>
    public SourceLocation SrsWhere { get; init; } = SourceLocation.None;
}
