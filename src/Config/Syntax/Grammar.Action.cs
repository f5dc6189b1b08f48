// "action" statements: local delivery methods and relay, with their options.
// Behaviour reference: usr.sbin/smtpd/parse.y (dispatcher, dispatcher_local, dispatcher_remote).
using Pidgin;
using P = Pidgin.Parser<Smtpd.Config.Token>;

namespace Smtpd.Config;

internal static partial class Grammar
{
    private const string LocalOptionExpected = "an option of a local action (alias, virtual, userbase, user, wrapper, ttl)";
    private const string RelayOptionExpected = "a relay option (host, domain, backup, helo, helo-src, src, tls, mta-sts, auth, mail-from, pki, ca, ciphers, protocols, filter, srs, ttl)";

    // action name method [options]
    public static readonly Parser<Token, Action<Parser>> Action =
        from keyword in Kw("action")
        from name in Str("an action name", "action")
        from method in DeliveryMethod(new ActionDef { Name = name, Method = ActionMethod.Mbox, Where = Parser.Where(keyword) })
        from acting in Options(new Acting(method, [], [], null), ActionOption)
        select new Action<Parser>(p =>
        {
            foreach (var (at, message) in acting.Errors)
            {
                p.Error(at, message);
            }
            // As in parse.y, the srs key must be known when the action is read.
            if (acting.SrsAt is { } srs && p.Globals.SrsKey is null)
            {
                p.Error(srs, $"action \"{name}\": srs requires an srs key declared before this action (add \"srs key SECRET\" above it)");
            }
            p.AddAction(acting.Action);
        });

    // The action so far, the options already given, errors that leave the statement readable.
    private sealed record Acting(ActionDef Action, HashSet<string> Seen, List<(Token At, string Message)> Errors, Token? SrsAt);

    // mbox | maildir [path] [junk] | lmtp destination [rcpt-to] | mda command | forward-only | expand-only | relay
    private static Parser<Token, ActionDef> DeliveryMethod(ActionDef action) => ByToken(method => WordOf(method) switch
    {
        "mbox" => P.Any.ThenReturn(action),
        "maildir" => P.Any.Then(StringToken.Optional()).Then(Kw("junk").Optional(), (path, junk) =>
            action with { Method = ActionMethod.Maildir, MaildirPath = path.HasValue ? path.Value.Text : null, Junk = junk.HasValue }),
        "lmtp" => P.Any.Then(Str("an LMTP destination (host:port or socket path)", "lmtp")).Then(Kw("rcpt-to").Optional(), (destination, rcptTo) =>
            action with { Method = ActionMethod.Lmtp, LmtpDestination = destination, LmtpRcptTo = rcptTo.HasValue }),
        "mda" => P.Any.Then(Str("a command", "mda")).Select(command => action with { Method = ActionMethod.Mda, MdaCommand = command }),
        "forward-only" => P.Any.ThenReturn(action with { Method = ActionMethod.ForwardOnly }),
        "expand-only" => P.Any.ThenReturn(action with { Method = ActionMethod.ExpandOnly }),
        "relay" => P.Any.ThenReturn(action with { Method = ActionMethod.Relay }),
        _ => Unexpected<ActionDef>(t => $"syntax error: expected a delivery method (mbox, maildir, lmtp, mda, forward-only, expand-only, relay) after action \"{action.Name}\", got {t.Describe()}"),
    });

    private static Parser<Token, Acting> ActionOption(Acting s) => ByToken(option =>
    {
        if (option.Kind != TokenKind.Word)
        {
            return Unexpected<Acting>(t => $"syntax error: expected an action option, got {t.Describe()}");
        }
        if (option.Text == "ttl")
        {
            return s.Seen.Contains("ttl")
                ? Unexpected<Acting>(_ => "ttl already specified for this action")
                : P.Any.Then(Delay("ttl delay", "ttl")).Select(ttl => s with { Action = s.Action with { Ttl = ttl }, Seen = With(s.Seen, "ttl") });
        }
        return s.Action.IsRelay ? RelayOption(s, option) : LocalOption(s, option);
    });

    private static Parser<Token, Acting> LocalOption(Acting s, Token option)
    {
        var a = s.Action;
        var key = option.Text;
        if (key is "alias" or "virtual" && (a.Alias is not null || a.Virtual is not null))
        {
            return Unexpected<Acting>(_ => $"{(a.Alias is not null ? "alias" : "virtual")} mapping already specified for this action");
        }
        if (key is "user" or "userbase" or "wrapper" && s.Seen.Contains(key))
        {
            return Unexpected<Acting>(_ => $"{key} already specified for this action");
        }
        var seen = key is "user" or "userbase" or "wrapper" ? With(s.Seen, key) : s.Seen;
        Parser<Token, ActionDef> value = key switch
        {
            "alias" => P.Any.Then(Tables("alias")).Select(t => a with { Alias = t }),
            "virtual" => P.Any.Then(Tables("virtual")).Select(t => a with { Virtual = t }),
            "userbase" => P.Any.Then(Tables("userbase")).Select(t => a with { Userbase = t }),
            "user" => a.Method is ActionMethod.Mbox or ActionMethod.ForwardOnly or ActionMethod.ExpandOnly
                ? Unexpected<ActionDef>(_ => $"user may not be specified for a{(a.Method == ActionMethod.Mbox ? "n mbox" : " " + MethodName(a.Method))} action")
                : P.Any.Then(Str("a user name", "user")).Select(u => a with { User = u }),
            "wrapper" => P.Any.Then(Str("a wrapper name", "wrapper")).Select(w => a with { Wrapper = w }),
            _ => Unexpected<ActionDef>(t => $"syntax error: expected {LocalOptionExpected}, got {t.Describe()}"),
        };
        return value.Select(next => s with { Action = next, Seen = seen });
    }

    private static Parser<Token, Acting> RelayOption(Acting s, Token option)
    {
        var a = s.Action;
        var key = option.Text is "host" or "domain" ? "host" : option.Text;
        if (s.Seen.Contains(key))
        {
            return Unexpected<Acting>(_ => $"{(key == "host" ? "host mapping" : key)} already specified for this action");
        }
        if ((key == "host" && s.Seen.Contains("backup")) || (key == "backup" && s.Seen.Contains("host")))
        {
            return Unexpected<Acting>(_ => $"backup and {(a.Domain is not null || option.Text == "domain" ? "domain" : "host")} are mutually exclusive");
        }
        var next = s with { Seen = With(s.Seen, key) };
        Parser<Token, ActionDef> value = option.Text switch
        {
            "helo" => P.Any.Then(Str("a host name", "helo")).Select(h => a with { Helo = h }),
            "helo-src" => P.Any.Then(Tables("helo-src")).Select(t => a with { HeloSrc = t }),
            "pki" => P.Any.Then(Str("a pki name", "pki")).Select(v => a with { Pki = v }),
            "ca" => P.Any.Then(Str("a ca name", "ca")).Select(v => a with { Ca = v }),
            "ciphers" => P.Any.Then(Str("a cipher list", "ciphers")).Select(v => a with { Ciphers = v }),
            "protocols" => P.Any.Then(Str("a protocol list", "protocols")).Select(v => a with { Protocols = v }),
            "src" => P.Any.Then(Tables("src")).Select(t => a with { Src = t }),
            "mail-from" => P.Any.Then(Str("a mail address", "mail-from")).Select(v => a with { MailFrom = v }),
            "backup" => P.Any.Then(Kw("mx").Then(Str("a host name", "backup mx")).Optional())
                .Select(mx => a with { Backup = true, BackupMx = mx.HasValue ? mx.Value : null }),
            "host" => P.Any.Then(Tables("host")).Select(t => a with { Host = t }),
            "domain" => P.Any.Then(Tables("domain")).Select(t => a with { Domain = t }),
            // tls [no-verify] | tls dane | tls fingerprint tables (the last two are ours)
            "tls" => P.Any.Then(Kw("dane").ThenReturn(a with { Tls = RelayTls.Dane })
                .Else(Kw("fingerprint").Then(Tables("fingerprint")).Select(f => a with { Tls = RelayTls.Fingerprint, Fingerprints = f }))
                .Else(Kw("no-verify").Optional().Select(nv => a with { Tls = nv.HasValue ? RelayTls.RequiredNoVerify : RelayTls.Required }))),
            "mta-sts" => P.Any.ThenReturn(a with { MtaSts = true }),
            // parse.y reads the options in order: the host (or domain) must come first.
            "auth" => P.Any.Then(Tables("auth")).Select(t => a with { Auth = t }),
            "filter" => P.Any.Then(FilterNames("filter").Select(chain => a with { FilterChain = chain })
                .Else(Str("a filter name or \"{\"", "filter").Select(f => a with { Filter = f }))),
            "srs" => P.Any.ThenReturn(a with { Srs = true }),
            _ => Unexpected<ActionDef>(t => $"syntax error: expected {RelayOptionExpected}, got {t.Describe()}"),
        };
        if (option.Text == "auth" && a.Host is null && a.Domain is null)
        {
            next = next with { Errors = [.. s.Errors, (option, "auth may not be specified without host on a relay action (write host or domain before auth)")] };
        }
        if (option.Text == "srs")
        {
            next = next with { SrsAt = option };
        }
        return value.Select(v => next with { Action = v });
    }

    private static HashSet<string> With(HashSet<string> set, string key) => new(set, StringComparer.Ordinal) { key };

    internal static string MethodName(ActionMethod method) => method switch
    {
        ActionMethod.Mbox => "mbox",
        ActionMethod.Maildir => "maildir",
        ActionMethod.Lmtp => "lmtp",
        ActionMethod.Mda => "mda",
        ActionMethod.ForwardOnly => "forward-only",
        ActionMethod.ExpandOnly => "expand-only",
        _ => "relay",
    };
}
