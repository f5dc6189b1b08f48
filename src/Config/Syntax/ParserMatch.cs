// "match" rules: criteria with optional negation, then "action name" or "reject".
// Behaviour reference: usr.sbin/smtpd/parse.y (match, match_option, action).
namespace Smtpd.Config;

internal sealed partial class Parser
{
    // match [[!] criterion ...] (action name | reject)
    private void ParseMatch(Token keyword)
    {
        var criteria = new List<MatchCriterion>();
        var groups = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var token = Peek();
            if (IsKeyword(token, "action"))
            {
                Next();
                var action = ExpectString("an action name", "action");
                _rules.Add(new MatchRule { Criteria = NormalizeCriteria(criteria), Action = action, Where = Where(keyword) });
                return;
            }
            if (IsKeyword(token, "reject"))
            {
                Next();
                _rules.Add(new MatchRule { Criteria = NormalizeCriteria(criteria), Reject = true, Where = Where(keyword) });
                return;
            }
            var negated = false;
            if (token.IsPunct('!'))
            {
                Next();
                negated = true;
                token = Peek();
            }
            if (token.Kind != TokenKind.Word || token.Text is not ("from" or "for" or "tag" or "helo" or "tls" or "auth" or "mail-from" or "rcpt-to"))
            {
                Fail(token, $"syntax error: expected a match criterion (from, for, tag, helo, tls, auth, mail-from, rcpt-to), \"action\" or \"reject\", got {token.Describe()}");
            }
            Next();
            var criterion = ParseMatchCriterion(token, negated);
            foreach (var group in Groups(criterion.Kind))
            {
                if (!groups.Add(group))
                {
                    Fail(token, $"{group} already specified for this rule");
                }
            }
            criteria.Add(criterion);
        }
    }

    private MatchCriterion ParseMatchCriterion(Token keyword, bool negated)
    {
        switch (keyword.Text)
        {
            case "from":
                var from = Next();
                switch (from.Kind == TokenKind.Word ? from.Text : string.Empty)
                {
                    case "any": return new MatchCriterion(MatchKind.FromAny, negated, false, null);
                    case "local": return new MatchCriterion(MatchKind.FromLocal, negated, false, null);
                    case "socket": return new MatchCriterion(MatchKind.FromSocket, negated, false, null);
                    case "src": return Criterion(MatchKind.FromSrc, negated, "from src", optionalTable: false);
                    case "rdns": return Criterion(MatchKind.FromRdns, negated, "from rdns", optionalTable: true);
                    case "auth": return Criterion(MatchKind.FromAuth, negated, "from auth", optionalTable: true);
                    case "mail-from": return Criterion(MatchKind.FromMailFrom, negated, "from mail-from", optionalTable: false);
                    default:
                        Fail(from, $"syntax error: expected any, local, socket, src, rdns, auth or mail-from after \"from\", got {from.Describe()}");
                        return null!;
                }
            case "for":
                var dest = Next();
                switch (dest.Kind == TokenKind.Word ? dest.Text : string.Empty)
                {
                    case "any": return new MatchCriterion(MatchKind.ForAny, negated, false, null);
                    case "local": return new MatchCriterion(MatchKind.ForLocal, negated, false, null);
                    case "domain": return Criterion(MatchKind.ForDomain, negated, "for domain", optionalTable: false);
                    case "rcpt-to": return Criterion(MatchKind.ForRcptTo, negated, "for rcpt-to", optionalTable: false);
                    default:
                        Fail(dest, $"syntax error: expected any, local, domain or rcpt-to after \"for\", got {dest.Describe()}");
                        return null!;
                }
            case "tag": return Criterion(MatchKind.Tag, negated, "tag", optionalTable: false);
            case "helo": return Criterion(MatchKind.Helo, negated, "helo", optionalTable: false);
            case "tls": return new MatchCriterion(MatchKind.Tls, negated, false, null);
            case "auth": return Criterion(MatchKind.Auth, negated, "auth", optionalTable: true);
            case "mail-from": return Criterion(MatchKind.MailFrom, negated, "mail-from", optionalTable: false);
            default: return Criterion(MatchKind.RcptTo, negated, "rcpt-to", optionalTable: false);
        }
    }

    // [regex] tables, where the table may be absent for rdns and auth.
    private MatchCriterion Criterion(MatchKind kind, bool negated, string after, bool optionalTable)
    {
        var regex = Accept("regex");
        if (!regex && optionalTable && !PeekTableStart())
        {
            return new MatchCriterion(kind, negated, false, null);
        }
        return new MatchCriterion(kind, negated, regex, ParseTables(regex ? after + " regex" : after));
    }

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
