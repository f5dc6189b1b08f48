// "match" rules: criteria with optional negation, then "action name" or "reject".
// Behaviour reference: usr.sbin/smtpd/parse.y (match, match_option, match_options, action).
using Pidgin;
using P = Pidgin.Parser<Smtpd.Config.Token>;

namespace Smtpd.Config;

internal static partial class Grammar
{
    private const string CriterionExpected = "a match criterion (from, for, tag, helo, tls, auth, mail-from, rcpt-to), \"action\" or \"reject\"";

    // match [[!] criterion ...] (action name | reject)
    public static readonly Parser<Token, Action<Parser>> Match =
        from keyword in Kw("match")
        from criteria in Options(new List<MatchCriterion>(), MatchOption, stop: t => WordOf(t) is "action" or "reject")
        from rule in Kw("action").Then(Str("an action name", "action")).Select(action => new MatchRule { Action = action })
            .Else(Kw("reject").ThenReturn(new MatchRule { Reject = true }))
            .Else(Unexpected<MatchRule>(t => $"syntax error: expected {CriterionExpected}, got {t.Describe()}"))
        from end in EndOfStatement
        select new Action<Parser>(p => p.AddRule(rule with { Criteria = Parser.NormalizeCriteria(criteria), Where = Parser.Where(keyword) }));

    // [!] criterion; parse.y refuses to set any of from, for, tag... twice in one rule.
    private static Parser<Token, List<MatchCriterion>> MatchOption(List<MatchCriterion> before) =>
        from negated in Punct('!').Optional()
        from at in Offset
        from criterion in ByToken(t => CriterionOf(t, negated.HasValue))
            .Check(c => Parser.Groups(c.Kind).FirstOrDefault(g => before.Any(b => Parser.Groups(b.Kind).Contains(g))) is { } conflict
                ? $"{conflict} already specified for this rule" : null)
        select new List<MatchCriterion>(before) { criterion };

    private static Parser<Token, MatchCriterion> CriterionOf(Token keyword, bool negated) => WordOf(keyword) switch
    {
        "from" => Kw("from").Then(ByToken(from => WordOf(from) switch
        {
            "any" => P.Any.ThenReturn(new MatchCriterion(MatchKind.FromAny, negated, false, null)),
            "local" => P.Any.ThenReturn(new MatchCriterion(MatchKind.FromLocal, negated, false, null)),
            "socket" => P.Any.ThenReturn(new MatchCriterion(MatchKind.FromSocket, negated, false, null)),
            "src" => P.Any.Then(Criterion(MatchKind.FromSrc, negated, "from src", optionalTable: false)),
            "rdns" => P.Any.Then(Criterion(MatchKind.FromRdns, negated, "from rdns", optionalTable: true)),
            "auth" => P.Any.Then(Criterion(MatchKind.FromAuth, negated, "from auth", optionalTable: true)),
            "mail-from" => P.Any.Then(Criterion(MatchKind.FromMailFrom, negated, "from mail-from", optionalTable: false)),
            _ => Unexpected<MatchCriterion>(t => $"syntax error: expected any, local, socket, src, rdns, auth or mail-from after \"from\", got {t.Describe()}"),
        })),
        "for" => Kw("for").Then(ByToken(dest => WordOf(dest) switch
        {
            "any" => P.Any.ThenReturn(new MatchCriterion(MatchKind.ForAny, negated, false, null)),
            "local" => P.Any.ThenReturn(new MatchCriterion(MatchKind.ForLocal, negated, false, null)),
            "domain" => P.Any.Then(Criterion(MatchKind.ForDomain, negated, "for domain", optionalTable: false)),
            "rcpt-to" => P.Any.Then(Criterion(MatchKind.ForRcptTo, negated, "for rcpt-to", optionalTable: false)),
            _ => Unexpected<MatchCriterion>(t => $"syntax error: expected any, local, domain or rcpt-to after \"for\", got {t.Describe()}"),
        })),
        "tag" => P.Any.Then(Criterion(MatchKind.Tag, negated, "tag", optionalTable: false)),
        "helo" => P.Any.Then(Criterion(MatchKind.Helo, negated, "helo", optionalTable: false)),
        "tls" => P.Any.ThenReturn(new MatchCriterion(MatchKind.Tls, negated, false, null)),
        "auth" => P.Any.Then(Criterion(MatchKind.Auth, negated, "auth", optionalTable: true)),
        "mail-from" => P.Any.Then(Criterion(MatchKind.MailFrom, negated, "mail-from", optionalTable: false)),
        "rcpt-to" => P.Any.Then(Criterion(MatchKind.RcptTo, negated, "rcpt-to", optionalTable: false)),
        _ => Unexpected<MatchCriterion>(t => $"syntax error: expected {CriterionExpected}, got {t.Describe()}"),
    };

    // [regex] tables, where the table may be absent for rdns and auth.
    private static Parser<Token, MatchCriterion> Criterion(MatchKind kind, bool negated, string after, bool optionalTable) =>
        from regex in Kw("regex").Optional()
        from table in !regex.HasValue && optionalTable
            ? OptionalTables(after)
            : Tables(regex.HasValue ? after + " regex" : after).Select(t => (TableRef?)t)
        select new MatchCriterion(kind, negated, regex.HasValue, table);
}
