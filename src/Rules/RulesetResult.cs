// The ruleset's verdict for one recipient: the first matching rule (1-based, with the rule),
// no rule at all, or a temporary failure while evaluating one.
using Smtpd.Config;

namespace Smtpd.Rules;

internal sealed record RulesetResult(MatchRule? Rule, int Number, bool TempFail)
{
    public static readonly RulesetResult NoMatch = new(null, 0, false);

    public static readonly RulesetResult Failed = new(null, 0, true);
}
