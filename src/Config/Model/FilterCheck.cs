// The single condition of a builtin phase filter, e.g. "!fcrdns" or "rdns regex <bad>".
// Behaviour reference: usr.sbin/smtpd/parse.y (filter_phase_check_*).
namespace Smtpd.Config;

internal sealed record FilterCheck(FilterCheckKind Kind, bool Negated, bool Regex, TableRef? Table);
