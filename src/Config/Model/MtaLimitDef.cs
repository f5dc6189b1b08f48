// An "mta limit [for domain name]" directive: settings for all domains or for one domain.
// Behaviour reference: usr.sbin/smtpd/parse.y (mta, limits_mta), limit.c.
namespace Smtpd.Config;

internal sealed record MtaLimitDef
{
    /// <summary>The domain the limits apply to, or null for the defaults.</summary>
    public string? Domain { get; init; }

    /// <summary>Address family restriction: null, "inet4" or "inet6".</summary>
    public string? Family { get; init; }

    public ValueList<LimitSetting> Settings { get; init; } = ValueList<LimitSetting>.Empty;

    public SourceLocation Where { get; init; } = SourceLocation.None;
}
