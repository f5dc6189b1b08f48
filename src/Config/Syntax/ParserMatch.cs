// The criteria of "match" rules and of the legacy rules: which conflict, and their order
// (the match statement itself is in Grammar.Match.cs).
// Behaviour reference: usr.sbin/smtpd/parse.y (match, match_option, action).
namespace Smtpd.Config;

internal sealed partial class Parser
{
    /// <summary>The things a criterion sets; parse.y refuses to set any of them twice in one rule.</summary>
    internal static string[] Groups(MatchKind kind) => kind switch
    {
        MatchKind.FromAuth => ["from", "auth"],
        MatchKind.FromMailFrom => ["from", "mail-from"],
        MatchKind.ForRcptTo => ["for", "rcpt-to"],
        MatchKind.FromAny or MatchKind.FromLocal or MatchKind.FromSocket or MatchKind.FromSrc or MatchKind.FromRdns => ["from"],
        MatchKind.ForAny or MatchKind.ForLocal or MatchKind.ForDomain => ["for"],
        MatchKind.Tag => ["tag"],
        MatchKind.Helo => ["helo"],
        MatchKind.Tls => ["tls"],
        MatchKind.Auth => ["auth"],
        MatchKind.MailFrom => ["mail-from"],
        _ => ["rcpt-to"],
    };

    internal static bool IsFrom(MatchKind kind) => kind <= MatchKind.FromMailFrom;

    internal static bool IsFor(MatchKind kind) => kind is >= MatchKind.ForAny and <= MatchKind.ForRcptTo;

    /// <summary>Puts the from-condition first and the for-condition second, adding "from local" and
    /// "for local" when missing, as OpenSMTPD does; the rest keep their written order.</summary>
    internal static ValueList<MatchCriterion> NormalizeCriteria(List<MatchCriterion> criteria)
    {
        var from = criteria.FirstOrDefault(c => IsFrom(c.Kind)) ?? new MatchCriterion(MatchKind.FromLocal, false, false, null);
        var dest = criteria.FirstOrDefault(c => IsFor(c.Kind)) ?? new MatchCriterion(MatchKind.ForLocal, false, false, null);
        return new ValueList<MatchCriterion>([from, dest, .. criteria.Where(c => !IsFrom(c.Kind) && !IsFor(c.Kind))]);
    }
}
