// "match" rules: criteria with optional negation, then "action name" or "reject".
// Behaviour reference: usr.sbin/smtpd/parse.y (match, match_option, match_options, action).
using Pidgin;
using P = Pidgin.Parser<Smtpd.Config.Token>;

namespace Smtpd.Config;

internal static partial class Grammar
{
    private const string CriterionExpected = "a match criterion (from, for, tag, helo, tls, auth, mail-from, rcpt-to), \"action\" or \"reject\"";

    // match [[!] criterion ...] (action name | reject)
    public static readonly Parser<Token, Action<Parser>> Match = Pidgin.Parser.Map(
        (keyword, criteria, rule, end) => new Action<Parser>(p => p.AddRule(rule with { Criteria = Parser.NormalizeCriteria(criteria), Where = Parser.Where(keyword) })),
        Kw("match"),
        Fold(AnyCriterion, new List<MatchCriterion>(), AddCriterion, stop: t => WordOf(t) is "action" or "reject"),
        Kw("action").Then(Str("an action name", "action")).Select(action => new MatchRule { Action = action })
            .Else(Kw("reject").ThenReturn(new MatchRule { Reject = true }))
            .Else(Unexpected<MatchRule>(t => $"syntax error: expected {CriterionExpected}, got {t.Describe()}")),
        EndOfStatement);

    // parse.y refuses to set any of from, for, tag... twice in one rule.
    private static (List<MatchCriterion>, string?) AddCriterion(List<MatchCriterion> before, MatchCriterion criterion) =>
        Parser.Groups(criterion.Kind).FirstOrDefault(g => before.Any(b => Parser.Groups(b.Kind).Contains(g))) is { } conflict
            ? (before, $"{conflict} already specified for this rule")
            : (new List<MatchCriterion>(before) { criterion }, null);

    // [!] criterion
    private static Parser<Token, MatchCriterion> AnyCriterion => Memo(("criterion", null, null), static _ =>
        from negated in Punct('!').Optional()
        from criterion in ByToken(t => CriterionOf(t, negated.HasValue))
        select criterion);

    private static Parser<Token, MatchCriterion> CriterionOf(Token keyword, bool negated) =>
        Memo(("criterion-of", WordOf(keyword) is "from" or "for" or "tag" or "helo" or "tls" or "auth" or "mail-from" or "rcpt-to" ? WordOf(keyword) : string.Empty, negated ? "!" : null),
            static k => BuildCriterion(k.A!, k.B == "!"));

    private static Parser<Token, MatchCriterion> BuildCriterion(string word, bool negated) => word switch
    {
        "from" => Kw("from").Then(ByWord("from", from => from switch
        {
            "any" => P.Any.ThenReturn(new MatchCriterion(MatchKind.FromAny, negated, false, null)),
            "local" => P.Any.ThenReturn(new MatchCriterion(MatchKind.FromLocal, negated, false, null)),
            "socket" => P.Any.ThenReturn(new MatchCriterion(MatchKind.FromSocket, negated, false, null)),
            "src" => P.Any.Then(Criterion(MatchKind.FromSrc, negated, "from src", optionalTable: false)),
            "rdns" => P.Any.Then(Criterion(MatchKind.FromRdns, negated, "from rdns", optionalTable: true)),
            "auth" => P.Any.Then(Criterion(MatchKind.FromAuth, negated, "from auth", optionalTable: true)),
            "mail-from" => P.Any.Then(Criterion(MatchKind.FromMailFrom, negated, "from mail-from", optionalTable: false)),
            _ => Unexpected<MatchCriterion>(t => $"syntax error: expected any, local, socket, src, rdns, auth or mail-from after \"from\", got {t.Describe()}"),
        }, negated, "any", "local", "socket", "src", "rdns", "auth", "mail-from")),
        "for" => Kw("for").Then(ByWord("for", dest => dest switch
        {
            "any" => P.Any.ThenReturn(new MatchCriterion(MatchKind.ForAny, negated, false, null)),
            "local" => P.Any.ThenReturn(new MatchCriterion(MatchKind.ForLocal, negated, false, null)),
            "domain" => P.Any.Then(Criterion(MatchKind.ForDomain, negated, "for domain", optionalTable: false)),
            "rcpt-to" => P.Any.Then(Criterion(MatchKind.ForRcptTo, negated, "for rcpt-to", optionalTable: false)),
            _ => Unexpected<MatchCriterion>(t => $"syntax error: expected any, local, domain or rcpt-to after \"for\", got {t.Describe()}"),
        }, negated, "any", "local", "domain", "rcpt-to")),
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
        Kw("regex").Then(Tables(after + " regex")).Select(table => new MatchCriterion(kind, negated, true, table))
            .Else((optionalTable ? OptionalTables(after) : Tables(after).Select(t => (TableRef?)t))
                .Select(table => new MatchCriterion(kind, negated, false, table)));
}
