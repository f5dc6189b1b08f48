// One condition of a match rule, e.g. "!from src <trusted>" or "rcpt-to regex <patterns>".
// Behaviour reference: usr.sbin/smtpd/parse.y (match_option), ruleset.c.
namespace Smtpd.Config;

internal sealed record MatchCriterion(MatchKind Kind, bool Negated, bool Regex, TableRef? Table);
