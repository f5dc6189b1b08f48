// A "match" rule: its criteria (the "from" and "for" conditions first) and the action or reject.
// Behaviour reference: usr.sbin/smtpd/parse.y (match), ruleset.c.
namespace Smtpd.Config;

internal sealed record MatchRule
{
    /// <summary>Criteria; the parser puts the from-condition first and the for-condition second,
    /// adding the defaults "from local" and "for local" when they were not written.</summary>
    public ValueList<MatchCriterion> Criteria { get; init; } = ValueList<MatchCriterion>.Empty;

    public bool Reject { get; init; }

    /// <summary>The action name when not <see cref="Reject"/>.</summary>
    public string? Action { get; init; }

    public SourceLocation Where { get; init; } = SourceLocation.None;
}
