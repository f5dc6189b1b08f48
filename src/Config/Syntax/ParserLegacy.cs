// Rules and directives of OpenSMTPD before 6.4 ("accept ... deliver to ...", "relay via",
// "bounce-warn", "expire"), translated into the modern model with one notice each.
// Behaviour reference: usr.sbin/smtpd/parse.y (the modern targets); the old grammar is known from
// the pre-6.4 smtpd.conf(5) examples in shared/references.
namespace Smtpd.Config;

internal sealed partial class Parser
{
    private static readonly string[] LegacyRelayOptions = ["backup", "via", "source", "helo", "hostname", "pki", "auth", "as", "tls", "expire"];

    private int _legacyActions;

    // accept|reject [tagged [!] tag] [from [!] what] [sender [!] t] [recipient [!] t] [for [!] what]
    //   [alias t] [virtual t] [userbase|users t] [forward-only] [deliver to ... | relay ...] [expire delay]
    private void ParseLegacyRule(Token keyword, bool reject)
    {
        var criteria = new List<MatchCriterion>();
        var action = new ActionDef { Name = string.Empty, Method = ActionMethod.Mbox, Where = Where(keyword) };
        var delivery = false;
        while (!Peek().IsEnd)
        {
            var word = Next();
            var negated = false;
            if (word.Kind != TokenKind.Word)
            {
                Fail(word, $"syntax error: expected a legacy rule option, got {word.Describe()}");
            }
            if (word.Text is "tagged" or "from" or "sender" or "recipient" or "for" && Peek().IsPunct('!'))
            {
                Next();
                negated = true;
            }
            switch (word.Text)
            {
                case "tagged":
                    criteria.Add(new MatchCriterion(MatchKind.Tag, negated, false, TableRef.Single(ExpectString("a tag", "tagged"))));
                    break;
                case "from":
                    criteria.Add(ParseLegacyFrom(negated));
                    break;
                case "sender":
                    criteria.Add(new MatchCriterion(MatchKind.MailFrom, negated, false, ParseTables("sender")));
                    break;
                case "recipient":
                    criteria.Add(new MatchCriterion(MatchKind.RcptTo, negated, false, ParseTables("recipient")));
                    break;
                case "for":
                    criteria.Add(ParseLegacyFor(negated, ref action));
                    break;
                case "alias":
                    action = action with { Alias = ParseTables("alias") };
                    break;
                case "virtual":
                    action = action with { Virtual = ParseTables("virtual") };
                    break;
                case "userbase" or "users":
                    action = action with { Userbase = ParseTables(word.Text) };
                    break;
                case "forward-only":
                    action = action with { Method = ActionMethod.ForwardOnly };
                    delivery = true;
                    break;
                case "deliver":
                    action = ParseLegacyDeliver(word, action);
                    delivery = true;
                    break;
                case "relay":
                    action = ParseLegacyRelay(action with { Method = ActionMethod.Relay });
                    delivery = true;
                    break;
                case "expire":
                    action = action with { Ttl = ExpectDelay("expire delay", "expire") };
                    break;
                default:
                    Fail(word, $"syntax error: unknown option {word.Describe()} in legacy {keyword.Text} rule");
                    break;
            }
        }
        if (reject && delivery)
        {
            Fail(keyword, "a legacy reject rule cannot deliver or relay");
        }
        // Today's relay actions have no local mappings; there is no faithful translation.
        if (action.IsRelay && (action.Alias ?? action.Virtual ?? action.Userbase) is not null)
        {
            Fail(keyword, "a legacy relay rule cannot use alias, virtual or userbase mappings");
        }
        var seenGroups = new HashSet<string>(StringComparer.Ordinal);
        foreach (var criterion in criteria)
        {
            foreach (var group in Groups(criterion.Kind))
            {
                if (!seenGroups.Add(group))
                {
                    Fail(keyword, $"{group} already specified for this rule");
                }
            }
        }
        var rule = new MatchRule { Criteria = NormalizeCriteria(criteria), Reject = reject, Where = Where(keyword) };
        if (reject)
        {
            _rules.Add(rule);
            Notice(keyword, $"legacy rule translated: {ConfigPrinter.FormatRule(rule)}");
            return;
        }
        _legacyActions++;
        var name = $"legacy-{_legacyActions}";
        action = action with { Name = name };
        rule = rule with { Action = name };
        _actions.Add(action);
        _rules.Add(rule);
        Notice(keyword, $"legacy rule translated: {ConfigPrinter.FormatAction(action)}; {ConfigPrinter.FormatRule(rule)}");
    }

    // from [!] (any | local | source t | t)
    private MatchCriterion ParseLegacyFrom(bool negated)
    {
        if (Accept("any"))
        {
            return new MatchCriterion(MatchKind.FromAny, negated, false, null);
        }
        if (Accept("local"))
        {
            return new MatchCriterion(MatchKind.FromLocal, negated, false, null);
        }
        if (Accept("socket"))
        {
            return new MatchCriterion(MatchKind.FromSocket, negated, false, null);
        }
        if (Accept("src") || Accept("source"))
        {
            return new MatchCriterion(MatchKind.FromSrc, negated, false, ParseTables("source"));
        }
        return new MatchCriterion(MatchKind.FromSrc, negated, false, ParseTables("from"));
    }

    // for [!] (any | local | domain t | virtual t | t); "for virtual t" made t both the domain
    // list and the user mapping.
    private MatchCriterion ParseLegacyFor(bool negated, ref ActionDef action)
    {
        if (Accept("any") || Accept("all"))
        {
            return new MatchCriterion(MatchKind.ForAny, negated, false, null);
        }
        if (Accept("local"))
        {
            return new MatchCriterion(MatchKind.ForLocal, negated, false, null);
        }
        if (Accept("virtual"))
        {
            var table = ParseTables("virtual");
            action = action with { Virtual = table };
            return new MatchCriterion(MatchKind.ForDomain, negated, false, table);
        }
        Accept("domain");
        return new MatchCriterion(MatchKind.ForDomain, negated, false, ParseTables("domain"));
    }

    // deliver to (mbox | maildir [path] | mda command | lmtp destination [rcpt-to])
    private ActionDef ParseLegacyDeliver(Token word, ActionDef action)
    {
        var to = Next();
        if (!(to.Kind == TokenKind.Word && to.Text == "to"))
        {
            Fail(to, $"syntax error: expected \"to\" after \"{word.Text}\", got {to.Describe()}");
        }
        var method = Next();
        switch (method.Kind == TokenKind.Word ? method.Text : string.Empty)
        {
            case "mbox":
                return action with { Method = ActionMethod.Mbox };
            case "maildir":
                var path = IsStringToken(Peek()) ? Next().Text : null;
                return action with { Method = ActionMethod.Maildir, MaildirPath = path };
            case "mda":
                return action with { Method = ActionMethod.Mda, MdaCommand = ExpectString("a command", "mda") };
            case "lmtp":
                var destination = ExpectString("an LMTP destination", "lmtp");
                return action with { Method = ActionMethod.Lmtp, LmtpDestination = destination, LmtpRcptTo = Accept("rcpt-to") };
            default:
                Fail(method, $"syntax error: expected mbox, maildir, mda or lmtp after \"deliver to\", got {method.Describe()}");
                return action;
        }
    }

    // relay [backup [mx name]] [via url] [source t] [helo t] [hostname name] [pki name] [auth t] [as address] [tls [verify]]
    private ActionDef ParseLegacyRelay(ActionDef a)
    {
        while (!Peek().IsEnd && !PeekKeyword("expire"))
        {
            var option = Next();
            switch (option.Kind == TokenKind.Word ? option.Text : string.Empty)
            {
                case "backup":
                    // Old files wrote "backup [name]"; the name is optional, so do not take an option for it.
                    var mx = Accept("mx") || (IsStringToken(Peek()) && !LegacyRelayOptions.Contains(Peek().Text));
                    a = a with { Backup = true, BackupMx = mx ? ExpectString("a host name", "backup") : null };
                    break;
                case "via":
                    a = ApplyLegacyUrl(a, ExpectString("a relay URL", "via"));
                    break;
                case "source":
                    a = a with { Src = ParseTables("source") };
                    break;
                case "helo":
                    a = Peek().IsPunct('<') || Peek().IsPunct('{')
                        ? a with { HeloSrc = ParseTables("helo") }
                        : a with { Helo = ExpectString("a host name", "helo") };
                    break;
                case "hostname":
                    a = a with { Helo = ExpectString("a host name", "hostname") };
                    break;
                case "pki":
                    a = a with { Pki = ExpectString("a pki name", "pki") };
                    break;
                case "auth":
                    a = a with { Auth = ParseTables("auth") };
                    break;
                case "as":
                    a = a with { MailFrom = ExpectString("a mail address", "as") };
                    break;
                case "tls":
                    a = a with { Tls = Accept("verify") ? RelayTls.Required : RelayTls.RequiredNoVerify };
                    break;
                default:
                    Fail(option, $"syntax error: unknown legacy relay option {option.Describe()}");
                    break;
            }
        }
        return a;
    }

    /// <summary>Maps a pre-6.4 relay URL to today's schemes: the old names meant other things
    /// (old smtp+tls was opportunistic, old tls was required STARTTLS, old smtp was plaintext).</summary>
    internal static string TranslateLegacyUrl(string url)
    {
        var sep = url.IndexOf("://", StringComparison.Ordinal);
        if (sep < 0)
        {
            return url;
        }
        var scheme = url[..sep].ToLowerInvariant();
        var rest = url[(sep + 3)..];
        var modern = scheme switch
        {
            "smtp+tls" or "smtp+tls+auth" => "smtp",
            "tls" or "tls+auth" or "starttls" or "secure" or "secure+auth" => "smtp+tls",
            "smtp" or "smtp+auth" => "smtp+notls",
            "smtps" or "smtps+auth" or "ssl" or "ssl+auth" => "smtps",
            "lmtp" => "lmtp",
            _ => scheme,
        };
        return modern + "://" + rest;
    }

    private static ActionDef ApplyLegacyUrl(ActionDef a, string url)
    {
        if (url.StartsWith("backup://", StringComparison.OrdinalIgnoreCase))
        {
            return a with { Backup = true, BackupMx = url["backup://".Length..] is { Length: > 0 } mx ? mx : null };
        }
        return a with { Host = TableRef.Single(TranslateLegacyUrl(url)) };
    }

    // bounce-warn delay [, delay ...]
    private void ParseLegacyBounceWarn(Token keyword)
    {
        _globals = _globals with { BounceWarnIntervals = ParseDelayList(keyword.Text) };
        Notice(keyword, "legacy syntax translated: bounce-warn is now written bounce warn-interval");
    }

    // expire delay (the global form: the queue lifetime)
    private void ParseLegacyExpire(Token keyword)
    {
        _globals = _globals with { QueueTtl = ExpectDelay("expire delay", keyword.Text) };
        Notice(keyword, "legacy syntax translated: expire is now written queue ttl");
    }

    // limit (mta | mda | scheduler | smtp) ...: the subject came first before 6.4
    private void ParseLegacyLimit(Token keyword)
    {
        var subject = Next();
        switch (subject.Kind == TokenKind.Word ? subject.Text : string.Empty)
        {
            case "mta":
                ParseMtaLimit(keyword);
                break;
            case "mda":
                _mdaLimits.AddRange(ParseLimits(MdaLimitKeys, "mda"));
                break;
            case "scheduler":
                _schedulerLimits.AddRange(ParseLimits(SchedulerLimitKeys, "scheduler"));
                break;
            case "smtp":
                _smtpLimits.AddRange(ParseLimits(SmtpLimitKeys, "smtp"));
                break;
            default:
                Fail(subject, $"syntax error: expected mta, mda, scheduler or smtp after \"limit\", got {subject.Describe()}");
                break;
        }
        Notice(keyword, $"legacy syntax translated: limit {subject.Text} is now written {subject.Text} limit");
    }

    // max-message-size size
    private void ParseLegacyMaxMessageSize(Token keyword)
    {
        _globals = _globals with { SmtpMaxMessageSize = ExpectSize(keyword.Text) };
        Notice(keyword, "legacy syntax translated: max-message-size is now written smtp max-message-size");
    }

    // max-mta-deferred number
    private void ParseLegacyMaxMtaDeferred(Token keyword)
    {
        _globals = _globals with { MtaMaxDeferred = ExpectNumber("a number", keyword.Text), MtaMaxDeferredWhere = Where(keyword) };
        Notice(keyword, "legacy syntax translated: max-mta-deferred is now written mta max-deferred");
    }

    // subaddressing-delimiter character
    private void ParseLegacySubaddressingDelimiter(Token keyword)
    {
        _globals = _globals with { SmtpSubAddrDelim = ExpectSubAddrDelim(keyword.Text) };
        Notice(keyword, "legacy syntax translated: subaddressing-delimiter is now written smtp sub-addr-delim");
    }

    // ciphers list (the daemon-wide cipher list)
    private void ParseLegacyCiphers(Token keyword)
    {
        _globals = _globals with { SmtpCiphers = ExpectString("a cipher list", keyword.Text), SmtpCiphersWhere = Where(keyword) };
        Notice(keyword, "legacy syntax translated: ciphers is now written smtp ciphers");
    }
}
