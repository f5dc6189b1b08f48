// First-match evaluation of the `match` rules for one recipient. Each criterion is a tri-state
// predicate (match, no match, temporary failure), negation applies to definite answers only,
// and a temporary failure stops the evaluation: the client is told to retry, never misrouted.
// Behaviour reference: usr.sbin/smtpd/ruleset.c.
using Smtpd.Config;
using Smtpd.Tables;

namespace Smtpd.Rules;

internal sealed class Ruleset
{
    private readonly IReadOnlyList<MatchRule> _rules;
    private readonly TableSet _tables;

    public Ruleset(IReadOnlyList<MatchRule> rules, TableSet tables)
    {
        _rules = rules;
        _tables = tables;
    }

    public RulesetResult Match(RuleContext ctx)
    {
        for (int i = 0; i < _rules.Count; i++)
        {
            switch (Evaluate(_rules[i], ctx))
            {
                case MatchResult.TempFail:
                    return RulesetResult.Failed;
                case MatchResult.Match:
                    return new RulesetResult(_rules[i], i + 1, false);
            }
        }

        return RulesetResult.NoMatch;
    }

    private MatchResult Evaluate(MatchRule rule, RuleContext ctx)
    {
        foreach (var c in rule.Criteria)
        {
            var r = Criterion(c, ctx);
            if (r != MatchResult.Match)
            {
                return r;
            }
        }

        return MatchResult.Match;
    }

    private MatchResult Criterion(MatchCriterion c, RuleContext ctx)
    {
        // Cases OpenSMTPD answers "no" to whatever the negation says: internal mail (bounces,
        // forwards) for socket and rdns criteria, and an rdns table when the client has no name.
        if (ctx.Internal && c.Kind is MatchKind.FromSocket or MatchKind.FromRdns)
        {
            return MatchResult.NoMatch;
        }

        if (c.Kind == MatchKind.FromRdns && c.Table is not null && ctx.Rdns is null)
        {
            return MatchResult.NoMatch;
        }

        MatchResult r = c.Kind switch
        {
            MatchKind.FromAny => From(ctx, _tables.Builtin("<anyhost>")),
            MatchKind.FromLocal => From(ctx, _tables.Builtin("<localhost>")),
            MatchKind.FromSrc => From(ctx, Table(c), c.Regex),
            MatchKind.FromSocket => Is(ctx.Source == "local"),
            MatchKind.FromRdns => c.Table is null ? Is(ctx.Rdns is not null) : Lookup(c, ctx.Rdns!, TableService.Domain),
            MatchKind.FromAuth or MatchKind.Auth => Auth(c, ctx),
            MatchKind.FromMailFrom or MatchKind.MailFrom => Lookup(c, ctx.Sender, TableService.Mailaddr),
            MatchKind.ForAny => Lookup(_tables.Builtin("<anydestination>"), ctx.RecipientDomain, TableService.Domain),
            MatchKind.ForLocal => Lookup(_tables.Builtin("<localnames>"), ctx.RecipientDomain, TableService.Domain),
            MatchKind.ForDomain => Lookup(c, ctx.RecipientDomain, TableService.Domain),
            MatchKind.ForRcptTo or MatchKind.RcptTo => Lookup(c, ctx.Recipient, TableService.Mailaddr),
            MatchKind.Tag => ctx.Tag is null ? MatchResult.NoMatch : Lookup(c, ctx.Tag, TableService.String),
            MatchKind.Helo => Lookup(c, ctx.Helo, TableService.Domain),
            MatchKind.Tls => Is(ctx.Tls),
            _ => MatchResult.TempFail,
        };

        // Negation turns definite answers around; a temporary failure stays one.
        return r == MatchResult.TempFail || !c.Negated ? r : r == MatchResult.Match ? MatchResult.NoMatch : MatchResult.Match;
    }

    private static MatchResult Is(bool value) => value ? MatchResult.Match : MatchResult.NoMatch;

    private ITable Table(MatchCriterion c) => c.Table is null ? new UnavailableTable("<none>", "criterion without a table") : _tables.Resolve(c.Table);

    private static MatchResult From(RuleContext ctx, ITable table, bool regex = false) =>
        table.Match(regex ? TableService.Regex : TableService.Netaddr, ctx.Internal ? "local" : ctx.Source);

    private MatchResult Auth(MatchCriterion c, RuleContext ctx)
    {
        if (ctx.AuthUser is null)
        {
            return MatchResult.NoMatch;
        }

        if (c.Table is null)
        {
            return MatchResult.Match;
        }

        var service = c.Regex ? TableService.Regex : ctx.AuthUser.Contains('@', StringComparison.Ordinal) ? TableService.Mailaddr : TableService.String;
        return Table(c).Match(service, ctx.AuthUser);
    }

    private MatchResult Lookup(MatchCriterion c, string key, TableService service) =>
        Table(c).Match(c.Regex ? TableService.Regex : service, key);

    private static MatchResult Lookup(ITable table, string key, TableService service) => table.Match(service, key);
}
