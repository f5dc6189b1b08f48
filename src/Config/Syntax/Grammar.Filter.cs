// "filter" and "proc" statements: filter processes, builtin phase filters, chains and DKIM signing.
// Behaviour reference: usr.sbin/smtpd/parse.y (filter, filter_phase, filterel, proc, proc_params).
using Pidgin;
using P = Pidgin.Parser<Smtpd.Config.Token>;

namespace Smtpd.Config;

internal static partial class Grammar
{
    // filter name (proc p | proc-exec cmd [params] | phase ph match check decision | chain { ... } | dkim-sign ...)
    public static readonly Parser<Token, Action<Parser>> Filter =
        from keyword in Kw("filter")
        from name in Str("a filter name", "filter")
        from filter in FilterBody(new FilterDef { Name = name, Kind = FilterKind.Proc, Where = Parser.Where(keyword) })
        from end in EndOfStatement
        select new Action<Parser>(p => p.AddFilter(filter));

    // proc name command [user u] [group g] [chroot dir]
    public static readonly Parser<Token, Action<Parser>> Proc =
        from keyword in Kw("proc")
        from name in Str("a proc name", "proc")
        from command in StrOf("a command", name)
        from ps in ProcParams
        select new Action<Parser>(p => p.AddProc(new ProcDef
        {
            Name = name, Command = command, User = ps.User, Group = ps.Group, Chroot = ps.Chroot, Protocol = ps.Protocol, Timeout = ps.Timeout,
            Where = Parser.Where(keyword),
        }));

    private static Parser<Token, FilterDef> FilterBody(FilterDef filter) => ByToken(kind => WordOf(kind) switch
    {
        "proc" => P.Any.Then(Str("a proc name", "proc")).Select(proc => filter with { Proc = proc }),
        "proc-exec" => P.Any.Then(Str("a command", "proc-exec")).Then(ProcParams, (command, ps) => filter with
        {
            Kind = FilterKind.ProcExec, Command = command, User = ps.User, Group = ps.Group, Chroot = ps.Chroot, Protocol = ps.Protocol, Timeout = ps.Timeout,
        }),
        "phase" => P.Any.Then(PhaseFilter(filter)),
        "chain" => P.Any.Then(FilterNames("chain")).Select(chain => filter with { Kind = FilterKind.Chain, Chain = chain }),
        "dkim-sign" => DkimSign.Select(dkim => filter with { Kind = FilterKind.DkimSign, Dkim = dkim }),
        _ => Unexpected<FilterDef>(t => $"syntax error: expected proc, proc-exec, phase, chain or dkim-sign after filter \"{filter.Name}\", got {t.Describe()}"),
    });

    // phase ph match [!] check decision [argument]
    private static Parser<Token, FilterDef> PhaseFilter(FilterDef filter) => ByToken(token =>
    {
        FilterPhase? phase = WordOf(token) switch
        {
            "connect" => FilterPhase.Connect,
            "helo" => FilterPhase.Helo,
            "ehlo" => FilterPhase.Ehlo,
            "auth" => FilterPhase.Auth,
            "mail-from" => FilterPhase.MailFrom,
            "rcpt-to" => FilterPhase.RcptTo,
            "data" => FilterPhase.Data,
            "commit" => FilterPhase.Commit,
            _ => null,
        };
        if (phase is not { } ph)
        {
            return Unexpected<FilterDef>(t => $"syntax error: expected a phase (connect, helo, ehlo, auth, mail-from, rcpt-to, data, commit), got {t.Describe()}");
        }
        return from word in P.Any
               from match in Expect("match", Parser.PhaseName(ph))
               from check in FilterCheck(ph)
               from decision in Decision(ph)
               select filter with { Kind = FilterKind.Phase, Phase = ph, Check = check, Decision = decision.Kind, DecisionArgument = decision.Argument };
    });

    private static Parser<Token, (FilterDecision Kind, string? Argument)> Decision(FilterPhase phase) => ByToken(decision =>
    {
        FilterDecision? kind = WordOf(decision) switch
        {
            "junk" => FilterDecision.Junk,
            "bypass" => FilterDecision.Bypass,
            "reject" => FilterDecision.Reject,
            "disconnect" => FilterDecision.Disconnect,
            "rewrite" => FilterDecision.Rewrite,
            "report" => FilterDecision.Report,
            _ => null,
        };
        if (kind is not { } k || (phase == FilterPhase.Commit && k is FilterDecision.Junk or FilterDecision.Bypass))
        {
            var allowed = phase == FilterPhase.Commit ? "reject, disconnect, rewrite or report" : "junk, bypass, reject, disconnect, rewrite or report";
            return Unexpected<(FilterDecision, string?)>(t => $"syntax error: expected a decision ({allowed}), got {t.Describe()}");
        }
        return k is FilterDecision.Junk or FilterDecision.Bypass
            ? P.Any.ThenReturn((k, (string?)null))
            : P.Any.Then(Str("a message or value", decision.Text)).Select(argument => (k, (string?)argument));
    });

    // [!] (fcrdns | rdns [[regex] tables] | src [regex] tables | helo ... | auth ... | mail-from ... | rcpt-to ...)
    private static Parser<Token, FilterCheck> FilterCheck(FilterPhase phase) =>
        from negated in Punct('!').Optional()
        from check in ByToken(token =>
        {
            FilterCheckKind? kind = WordOf(token) switch
            {
                "fcrdns" => FilterCheckKind.Fcrdns,
                "rdns" => FilterCheckKind.Rdns,
                "src" => FilterCheckKind.Src,
                "helo" => FilterCheckKind.Helo,
                "auth" => FilterCheckKind.Auth,
                "mail-from" => FilterCheckKind.MailFrom,
                "rcpt-to" => FilterCheckKind.RcptTo,
                _ => null,
            };
            if (kind is not { } k)
            {
                return Unexpected<FilterCheck>(t => $"syntax error: expected a condition (fcrdns, rdns, src, helo, auth, mail-from, rcpt-to), got {t.Describe()}");
            }
            if (!Parser.CheckAllowedInPhase(k, phase))
            {
                return Unexpected<FilterCheck>(t => $"condition \"{t.Text}\" cannot be used in phase \"{Parser.PhaseName(phase)}\"");
            }
            if (k == FilterCheckKind.Fcrdns)
            {
                return P.Any.ThenReturn(new FilterCheck(k, negated.HasValue, false, null));
            }
            var optional = k is FilterCheckKind.Rdns or FilterCheckKind.Auth;
            return from word in P.Any
                   from regex in Kw("regex").Optional()
                   from table in !regex.HasValue && optional ? OptionalTables(token.Text) : Tables(token.Text).Select(t => (TableRef?)t)
                   select new FilterCheck(k, negated.HasValue, regex.HasValue, table);
        })
        select check;

    // Ours: dkim-sign domain d selector s key file [algorithm rsa-sha256|ed25519-sha256] [headers { h, ... }]
    private static Parser<Token, DkimSignDef> DkimSign =>
        from at in Offset
        from keyword in P.Any
        from d in Options(new Dkim(null, null, null, null, null), DkimOption)
        from dkim in d.Domain is null || d.Selector is null || d.Key is null
            ? FailAt<DkimSignDef>(at, "dkim-sign needs domain, selector and key")
            : P.Return(new DkimSignDef(d.Domain, d.Selector, d.Key, d.Algorithm ?? "rsa-sha256", d.Headers ?? ValueList<string>.Empty))
        select dkim;

    private sealed record Dkim(string? Domain, string? Selector, string? Key, string? Algorithm, ValueList<string>? Headers);

    private static Parser<Token, Dkim> DkimOption(Dkim d) => ByToken(option => WordOf(option) switch
    {
        "domain" when d.Domain is null => P.Any.Then(Str("a domain", "domain")).Select(v => d with { Domain = v.ToLowerInvariant() }),
        "selector" when d.Selector is null => P.Any.Then(Str("a selector", "selector")).Select(v => d with { Selector = v }),
        "key" when d.Key is null => P.Any.Then(Str("a key file", "key")).Select(v => d with { Key = v }),
        "algorithm" when d.Algorithm is null => P.Any.Then(Str("an algorithm", "algorithm"))
            .Check(v => v is "rsa-sha256" or "ed25519-sha256" ? null : $"dkim-sign algorithm must be rsa-sha256 or ed25519-sha256, not \"{v}\"")
            .Select(v => d with { Algorithm = v }),
        "headers" when d.Headers is null => P.Any.Then(BraceList("headers", "a header name", i => Str("a header name", i == 0 ? "{" : "headers").Select(h => h.ToLowerInvariant()), null))
            .Check(list => list.Contains("from") ? null : "dkim-sign headers must include from")
            .Select(list => d with { Headers = list }),
        _ => Unexpected<Dkim>(t => $"syntax error: expected domain, selector, key, algorithm or headers (each once), got {t.Describe()}"),
    });

    private sealed record ProcSettings(string? User, string? Group, string? Chroot, string? Protocol, int? Timeout);

    // [user u] [group g] [chroot dir] [protocol "0.6"|"0.7"] [timeout delay]; the last two are ours.
    private static Parser<Token, ProcSettings> ProcParams => Options(new ProcSettings(null, null, null, null, null), ProcParam);

    private static Parser<Token, ProcSettings> ProcParam(ProcSettings s) => ByToken(option =>
    {
        var word = WordOf(option);
        var already = word switch
        {
            "user" => s.User,
            "group" => s.Group,
            "chroot" => s.Chroot,
            "protocol" => s.Protocol,
            "timeout" => s.Timeout?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => null,
        };
        if (already is not null)
        {
            return Unexpected<ProcSettings>(_ => $"{word} already specified for this process");
        }
        return word switch
        {
            "user" => P.Any.Then(Str("a name", "user")).Select(v => s with { User = v }),
            "group" => P.Any.Then(Str("a name", "group")).Select(v => s with { Group = v }),
            "chroot" => P.Any.Then(Str("a directory", "chroot")).Select(v => s with { Chroot = v }),
            "protocol" => P.Any.Then(Str("a protocol version", "protocol"))
                .Check(v => v is "0.6" or "0.7" ? null : $"filter protocol version must be 0.6 or 0.7, not \"{v}\"")
                .Select(v => s with { Protocol = v }),
            "timeout" => P.Any.Then(P.Any.Select(t => (Token: t, Seconds: Durations.Parse(t.Text)))
                    .Check(d => d.Seconds < 1 ? $"syntax error: expected a delay such as 30s, got {d.Token.Describe()}" : null))
                .Select(d => s with { Timeout = d.Seconds }),
            _ => Unexpected<ProcSettings>(t => $"syntax error: expected user, group, chroot, protocol or timeout, got {t.Describe()}"),
        };
    });
}
