// Rules and directives of OpenSMTPD before 6.4 ("accept ... deliver to ...", "relay via",
// "bounce-warn", "expire", "limit mta"...), translated into the modern model with one notice each.
// Behaviour reference: usr.sbin/smtpd/parse.y (the modern targets); the old grammar is known from
// the pre-6.4 smtpd.conf(5) examples in shared/references.
using Pidgin;
using P = Pidgin.Parser<Smtpd.Config.Token>;

namespace Smtpd.Config;

internal static partial class Grammar
{
    private static readonly string[] LegacyRelayOptions = ["backup", "via", "source", "helo", "hostname", "pki", "auth", "as", "tls", "expire"];

    public static readonly Parser<Token, Action<Parser>> Accept = LegacyRule("accept", reject: false);

    public static readonly Parser<Token, Action<Parser>> Reject = LegacyRule("reject", reject: true);

    // bounce-warn delay [, delay ...]
    public static readonly Parser<Token, Action<Parser>> BounceWarn =
        from keyword in Kw("bounce-warn")
        from delays in DelayList("bounce-warn")
        from end in EndOfStatement
        select Translated(keyword, "bounce-warn is now written bounce warn-interval", g => g with { BounceWarnIntervals = delays });

    // expire delay (the global form: the queue lifetime)
    public static readonly Parser<Token, Action<Parser>> Expire =
        from keyword in Kw("expire")
        from ttl in Delay("expire delay", "expire")
        from end in EndOfStatement
        select Translated(keyword, "expire is now written queue ttl", g => g with { QueueTtl = ttl });

    // limit (mta | mda | scheduler | smtp) ...: the subject came first before 6.4
    public static readonly Parser<Token, Action<Parser>> LegacyLimit =
        from keyword in Kw("limit")
        from subject in Current
        from statement in WordOf(subject) switch
        {
            "mta" => P.Any.Then(MtaLimit(keyword)),
            "mda" => P.Any.Then(Limits(MdaLimitKeys, "mda")).Select(limits => new Action<Parser>(p => p.AddLimits(p.MdaLimits, limits))),
            "scheduler" => P.Any.Then(Limits(SchedulerLimitKeys, "scheduler")).Select(limits => new Action<Parser>(p => p.AddLimits(p.SchedulerLimits, limits))),
            "smtp" => P.Any.Then(Limits(SmtpLimitKeys, "smtp")).Select(limits => new Action<Parser>(p => p.AddLimits(p.SmtpLimits, limits))),
            _ => Unexpected<Action<Parser>>(t => $"syntax error: expected mta, mda, scheduler or smtp after \"limit\", got {t.Describe()}"),
        }
        from end in EndOfStatement
        select new Action<Parser>(p =>
        {
            statement(p);
            p.Notice(keyword, $"legacy syntax translated: limit {subject.Text} is now written {subject.Text} limit");
        });

    public static readonly Parser<Token, Action<Parser>> MaxMessageSize =
        from keyword in Kw("max-message-size")
        from size in Size("max-message-size")
        from end in EndOfStatement
        select Translated(keyword, "max-message-size is now written smtp max-message-size", g => g with { SmtpMaxMessageSize = size });

    public static readonly Parser<Token, Action<Parser>> MaxMtaDeferred =
        from keyword in Kw("max-mta-deferred")
        from n in Num("a number", "max-mta-deferred")
        from end in EndOfStatement
        select Translated(keyword, "max-mta-deferred is now written mta max-deferred", g => g with { MtaMaxDeferred = n, MtaMaxDeferredWhere = Parser.Where(keyword) });

    public static readonly Parser<Token, Action<Parser>> SubaddressingDelimiter =
        from keyword in Kw("subaddressing-delimiter")
        from delim in SubAddrDelim("subaddressing-delimiter")
        from end in EndOfStatement
        select Translated(keyword, "subaddressing-delimiter is now written smtp sub-addr-delim", g => g with { SmtpSubAddrDelim = delim });

    // ciphers list (the daemon-wide cipher list)
    public static readonly Parser<Token, Action<Parser>> Ciphers =
        from keyword in Kw("ciphers")
        from ciphers in Str("a cipher list", "ciphers")
        from end in EndOfStatement
        select Translated(keyword, "ciphers is now written smtp ciphers", g => g with { SmtpCiphers = ciphers, SmtpCiphersWhere = Parser.Where(keyword) });

    private static Action<Parser> Translated(Token keyword, string notice, Func<SmtpdConfig, SmtpdConfig> change) => p =>
    {
        p.Globals = change(p.Globals);
        p.Notice(keyword, "legacy syntax translated: " + notice);
    };

    private sealed record LegacyRuleState(List<MatchCriterion> Criteria, ActionDef Action, bool Delivery);

    // accept|reject [tagged [!] tag] [from [!] what] [sender [!] t] [recipient [!] t] [for [!] what]
    //   [alias t] [virtual t] [userbase|users t] [forward-only] [deliver to ... | relay ...] [expire delay]
    private static Parser<Token, Action<Parser>> LegacyRule(string word, bool reject) =>
        from at in Offset
        from keyword in Kw(word)
        from r in Options(new LegacyRuleState([], new ActionDef { Name = string.Empty, Method = ActionMethod.Mbox }, false), s => LegacyRuleOption(s, word))
        from rule in LegacyRuleError(r, reject) is { } error
            ? FailAt<LegacyRuleState>(at, error)
            : P.Return(r)
        select new Action<Parser>(p => p.AddLegacyRule(keyword, reject, rule.Criteria, rule.Action with { Where = Parser.Where(keyword) }));

    private static string? LegacyRuleError(LegacyRuleState r, bool reject)
    {
        if (reject && r.Delivery)
        {
            return "a legacy reject rule cannot deliver or relay";
        }
        // Today's relay actions have no local mappings; there is no faithful translation.
        if (r.Action.IsRelay && (r.Action.Alias ?? r.Action.Virtual ?? r.Action.Userbase) is not null)
        {
            return "a legacy relay rule cannot use alias, virtual or userbase mappings";
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var criterion in r.Criteria)
        {
            foreach (var group in Parser.Groups(criterion.Kind))
            {
                if (!seen.Add(group))
                {
                    return $"{group} already specified for this rule";
                }
            }
        }
        return null;
    }

    private static Parser<Token, LegacyRuleState> LegacyRuleOption(LegacyRuleState s, string rule) => ByToken(word =>
    {
        if (word.Kind != TokenKind.Word)
        {
            return Unexpected<LegacyRuleState>(t => $"syntax error: expected a legacy rule option, got {t.Describe()}");
        }
        var a = s.Action;
        Parser<Token, bool> negation = P.Any.Then(Punct('!').Optional()).Select(n => n.HasValue);
        LegacyRuleState Add(MatchCriterion c) => s with { Criteria = [.. s.Criteria, c] };
        return word.Text switch
        {
            "tagged" => negation.Then(n => Str("a tag", "tagged").Select(tag => Add(new MatchCriterion(MatchKind.Tag, n, false, TableRef.Single(tag))))),
            "from" => negation.Then(n => LegacyFrom(n).Select(Add)),
            "sender" => negation.Then(n => Tables("sender").Select(t => Add(new MatchCriterion(MatchKind.MailFrom, n, false, t)))),
            "recipient" => negation.Then(n => Tables("recipient").Select(t => Add(new MatchCriterion(MatchKind.RcptTo, n, false, t)))),
            "for" => negation.Then(n => LegacyFor(n).Select(f => Add(f.Criterion) with { Action = f.Virtual is null ? a : a with { Virtual = f.Virtual } })),
            "alias" => P.Any.Then(Tables("alias")).Select(t => s with { Action = a with { Alias = t } }),
            "virtual" => P.Any.Then(Tables("virtual")).Select(t => s with { Action = a with { Virtual = t } }),
            "userbase" or "users" => P.Any.Then(Tables(word.Text)).Select(t => s with { Action = a with { Userbase = t } }),
            "forward-only" => P.Any.ThenReturn(s with { Action = a with { Method = ActionMethod.ForwardOnly }, Delivery = true }),
            "deliver" => P.Any.Then(LegacyDeliver(a)).Select(d => s with { Action = d, Delivery = true }),
            "relay" => P.Any.Then(Options(a with { Method = ActionMethod.Relay }, LegacyRelayOption, stop: t => WordOf(t) == "expire"))
                .Select(r => s with { Action = r, Delivery = true }),
            "expire" => P.Any.Then(Delay("expire delay", "expire")).Select(ttl => s with { Action = a with { Ttl = ttl } }),
            _ => Unexpected<LegacyRuleState>(t => $"syntax error: unknown option {t.Describe()} in legacy {rule} rule"),
        };
    });

    // from [!] (any | local | socket | source t | t)
    private static Parser<Token, MatchCriterion> LegacyFrom(bool negated) => ByToken(what => WordOf(what) switch
    {
        "any" => P.Any.ThenReturn(new MatchCriterion(MatchKind.FromAny, negated, false, null)),
        "local" => P.Any.ThenReturn(new MatchCriterion(MatchKind.FromLocal, negated, false, null)),
        "socket" => P.Any.ThenReturn(new MatchCriterion(MatchKind.FromSocket, negated, false, null)),
        "src" or "source" => P.Any.Then(Tables("source")).Select(t => new MatchCriterion(MatchKind.FromSrc, negated, false, t)),
        _ => Tables("from").Select(t => new MatchCriterion(MatchKind.FromSrc, negated, false, t)),
    });

    // for [!] (any | local | domain t | virtual t | t); "for virtual t" made t both the domain
    // list and the user mapping.
    private static Parser<Token, (MatchCriterion Criterion, TableRef? Virtual)> LegacyFor(bool negated) => ByToken(what => WordOf(what) switch
    {
        "any" or "all" => P.Any.ThenReturn((new MatchCriterion(MatchKind.ForAny, negated, false, null), (TableRef?)null)),
        "local" => P.Any.ThenReturn((new MatchCriterion(MatchKind.ForLocal, negated, false, null), (TableRef?)null)),
        "virtual" => P.Any.Then(Tables("virtual")).Select(t => (new MatchCriterion(MatchKind.ForDomain, negated, false, t), (TableRef?)t)),
        _ => Kw("domain").Optional().Then(Tables("domain")).Select(t => (new MatchCriterion(MatchKind.ForDomain, negated, false, t), (TableRef?)null)),
    });

    // deliver to (mbox | maildir [path] | mda command | lmtp destination [rcpt-to])
    private static Parser<Token, ActionDef> LegacyDeliver(ActionDef action) =>
        Expect("to", "deliver").Then(ByToken(method => WordOf(method) switch
        {
            "mbox" => P.Any.ThenReturn(action with { Method = ActionMethod.Mbox }),
            "maildir" => P.Any.Then(StringToken.Optional()).Select(path => action with { Method = ActionMethod.Maildir, MaildirPath = path.HasValue ? path.Value.Text : null }),
            "mda" => P.Any.Then(Str("a command", "mda")).Select(command => action with { Method = ActionMethod.Mda, MdaCommand = command }),
            "lmtp" => P.Any.Then(Str("an LMTP destination", "lmtp")).Then(Kw("rcpt-to").Optional(), (destination, rcptTo) =>
                action with { Method = ActionMethod.Lmtp, LmtpDestination = destination, LmtpRcptTo = rcptTo.HasValue }),
            _ => Unexpected<ActionDef>(t => $"syntax error: expected mbox, maildir, mda or lmtp after \"deliver to\", got {t.Describe()}"),
        }));

    // relay [backup [mx name]] [via url] [source t] [helo t] [hostname name] [pki name] [auth t] [as address] [tls [verify]]
    private static Parser<Token, ActionDef> LegacyRelayOption(ActionDef a) => ByToken(option => WordOf(option) switch
    {
        // Old files wrote "backup [name]"; the name is optional, so do not take an option for it.
        "backup" => P.Any.Then(Kw("mx").Then(Str("a host name", "backup")).Select(mx => (string?)mx)
                .Else(ByToken(t => IsStringToken(t) && !LegacyRelayOptions.Contains(t.Text) ? Str("a host name", "backup").Select(mx => (string?)mx) : P.Return<string?>(null))))
            .Select(mx => a with { Backup = true, BackupMx = mx }),
        "via" => P.Any.Then(Str("a relay URL", "via")).Select(url => ApplyLegacyUrl(a, url)),
        "source" => P.Any.Then(Tables("source")).Select(t => a with { Src = t }),
        "helo" => P.Any.Then(ByToken(t => t.IsPunct('<') || t.IsPunct('{')
            ? Tables("helo").Select(h => a with { HeloSrc = h })
            : Str("a host name", "helo").Select(h => a with { Helo = h }))),
        "hostname" => P.Any.Then(Str("a host name", "hostname")).Select(h => a with { Helo = h }),
        "pki" => P.Any.Then(Str("a pki name", "pki")).Select(v => a with { Pki = v }),
        "auth" => P.Any.Then(Tables("auth")).Select(t => a with { Auth = t }),
        "as" => P.Any.Then(Str("a mail address", "as")).Select(v => a with { MailFrom = v }),
        "tls" => P.Any.Then(Kw("verify").Optional()).Select(v => a with { Tls = v.HasValue ? RelayTls.Required : RelayTls.RequiredNoVerify }),
        _ => Unexpected<ActionDef>(t => $"syntax error: unknown legacy relay option {t.Describe()}"),
    });

    private static ActionDef ApplyLegacyUrl(ActionDef a, string url)
    {
        if (url.StartsWith("backup://", StringComparison.OrdinalIgnoreCase))
        {
            return a with { Backup = true, BackupMx = url["backup://".Length..] is { Length: > 0 } mx ? mx : null };
        }
        return a with { Host = TableRef.Single(Parser.TranslateLegacyUrl(url)) };
    }
}
