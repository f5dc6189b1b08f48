// "filter" and "proc" statements: filter processes, builtin phase filters and chains.
// Behaviour reference: usr.sbin/smtpd/parse.y (filter, filter_phase, filterel, proc, proc_params).
namespace Smtpd.Config;

internal sealed partial class Parser
{
    // filter name (proc p | proc-exec cmd [params] | phase ph match check decision | chain { ... })
    private void ParseFilter(Token keyword)
    {
        var name = ExpectString("a filter name", "filter");
        var kind = Next();
        var filter = new FilterDef { Name = name, Kind = FilterKind.Proc, Where = Where(keyword) };
        switch (kind.Kind == TokenKind.Word ? kind.Text : string.Empty)
        {
            case "proc":
                filter = filter with { Proc = ExpectString("a proc name", "proc") };
                break;
            case "proc-exec":
                filter = filter with { Kind = FilterKind.ProcExec, Command = ExpectString("a command", "proc-exec") };
                var p = ParseProcParams();
                filter = filter with { User = p.User, Group = p.Group, Chroot = p.Chroot, Protocol = p.Protocol, Timeout = p.Timeout };
                break;
            case "phase":
                filter = ParseFilterPhase(filter);
                break;
            case "chain":
                filter = filter with { Kind = FilterKind.Chain, Chain = ParseFilterNames("chain") };
                break;
            case "dkim-sign":
                filter = filter with { Kind = FilterKind.DkimSign, Dkim = ParseDkimSign(kind) };
                break;
            default:
                Fail(kind, $"syntax error: expected proc, proc-exec, phase, chain or dkim-sign after filter \"{name}\", got {kind.Describe()}");
                break;
        }
        _filters.Add(filter);
    }

    private FilterDef ParseFilterPhase(FilterDef filter)
    {
        var token = Next();
        FilterPhase? phase = token.Kind != TokenKind.Word ? null : token.Text switch
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
        if (phase is null)
        {
            Fail(token, $"syntax error: expected a phase (connect, helo, ehlo, auth, mail-from, rcpt-to, data, commit), got {token.Describe()}");
        }
        Expect("match", PhaseName(phase.Value));
        var check = ParseFilterCheck(phase.Value);
        var decision = Next();
        var kind = decision.Kind != TokenKind.Word ? (FilterDecision?)null : decision.Text switch
        {
            "junk" => FilterDecision.Junk,
            "bypass" => FilterDecision.Bypass,
            "reject" => FilterDecision.Reject,
            "disconnect" => FilterDecision.Disconnect,
            "rewrite" => FilterDecision.Rewrite,
            "report" => FilterDecision.Report,
            _ => null,
        };
        if (kind is null || (phase == FilterPhase.Commit && kind is FilterDecision.Junk or FilterDecision.Bypass))
        {
            var allowed = phase == FilterPhase.Commit ? "reject, disconnect, rewrite or report" : "junk, bypass, reject, disconnect, rewrite or report";
            Fail(decision, $"syntax error: expected a decision ({allowed}), got {decision.Describe()}");
        }
        string? argument = null;
        if (kind is not (FilterDecision.Junk or FilterDecision.Bypass))
        {
            argument = ExpectString("a message or value", decision.Text);
        }
        return filter with { Kind = FilterKind.Phase, Phase = phase.Value, Check = check, Decision = kind.Value, DecisionArgument = argument };
    }

    // [!] (fcrdns | rdns [[regex] tables] | src [regex] tables | helo ... | auth ... | mail-from ... | rcpt-to ...)
    private FilterCheck ParseFilterCheck(FilterPhase phase)
    {
        var negated = false;
        if (Peek().IsPunct('!'))
        {
            Next();
            negated = true;
        }
        var token = Next();
        FilterCheckKind? kind = token.Kind != TokenKind.Word ? null : token.Text switch
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
        if (kind is null)
        {
            Fail(token, $"syntax error: expected a condition (fcrdns, rdns, src, helo, auth, mail-from, rcpt-to), got {token.Describe()}");
        }
        if (!CheckAllowedInPhase(kind.Value, phase))
        {
            Fail(token, $"condition \"{token.Text}\" cannot be used in phase \"{PhaseName(phase)}\"");
        }
        if (kind == FilterCheckKind.Fcrdns)
        {
            return new FilterCheck(kind.Value, negated, false, null);
        }
        var regex = Accept("regex");
        var optional = kind is FilterCheckKind.Rdns or FilterCheckKind.Auth;
        if (!regex && optional && !PeekTableStart())
        {
            return new FilterCheck(kind.Value, negated, false, null);
        }
        return new FilterCheck(kind.Value, negated, regex, ParseTables(token.Text));
    }

    /// <summary>Which conditions each phase can test: only what is known by that point of the session.</summary>
    internal static bool CheckAllowedInPhase(FilterCheckKind kind, FilterPhase phase) => kind switch
    {
        FilterCheckKind.Fcrdns or FilterCheckKind.Rdns or FilterCheckKind.Src => true,
        FilterCheckKind.Helo => phase != FilterPhase.Connect,
        FilterCheckKind.Auth => phase is FilterPhase.Auth or FilterPhase.MailFrom or FilterPhase.RcptTo or FilterPhase.Data or FilterPhase.Commit,
        FilterCheckKind.MailFrom => phase is FilterPhase.MailFrom or FilterPhase.RcptTo or FilterPhase.Data or FilterPhase.Commit,
        _ => phase == FilterPhase.RcptTo,
    };

    internal static string PhaseName(FilterPhase phase) => phase switch
    {
        FilterPhase.Connect => "connect",
        FilterPhase.Helo => "helo",
        FilterPhase.Ehlo => "ehlo",
        FilterPhase.Auth => "auth",
        FilterPhase.MailFrom => "mail-from",
        FilterPhase.RcptTo => "rcpt-to",
        FilterPhase.Data => "data",
        _ => "commit",
    };

    // Ours: dkim-sign domain d selector s key file [algorithm rsa-sha256|ed25519-sha256] [headers { h, ... }]
    private DkimSignDef ParseDkimSign(Token keyword)
    {
        string? domain = null, selector = null, key = null, algorithm = null;
        ValueList<string>? headers = null;
        while (!Peek().IsEnd)
        {
            var option = Next();
            switch (option.Kind == TokenKind.Word ? option.Text : string.Empty)
            {
                case "domain" when domain is null:
                    domain = ExpectString("a domain", "domain").ToLowerInvariant();
                    break;
                case "selector" when selector is null:
                    selector = ExpectString("a selector", "selector");
                    break;
                case "key" when key is null:
                    key = ExpectString("a key file", "key");
                    break;
                case "algorithm" when algorithm is null:
                    algorithm = ExpectString("an algorithm", "algorithm");
                    if (algorithm is not ("rsa-sha256" or "ed25519-sha256"))
                    {
                        Fail(option, $"dkim-sign algorithm must be rsa-sha256 or ed25519-sha256, not \"{algorithm}\"");
                    }

                    break;
                case "headers" when headers is null:
                    var list = new List<string>();
                    ParseBraceList("headers", "a header name", () => list.Add(ExpectString("a header name", list.Count == 0 ? "{" : "headers").ToLowerInvariant()));
                    if (!list.Contains("from"))
                    {
                        Fail(option, "dkim-sign headers must include from");
                    }

                    headers = new ValueList<string>(list);
                    break;
                default:
                    Fail(option, $"syntax error: expected domain, selector, key, algorithm or headers (each once), got {option.Describe()}");
                    break;
            }
        }

        if (domain is null || selector is null || key is null)
        {
            Fail(keyword, "dkim-sign needs domain, selector and key");
        }

        return new DkimSignDef(domain, selector, key, algorithm ?? "rsa-sha256", headers ?? ValueList<string>.Empty);
    }

    // '{' optnl name (comma name)* '}'
    private ValueList<string> ParseFilterNames(string after)
    {
        var names = new List<string>();
        ParseBraceList(after, "a filter name", () => names.Add(ExpectString("a filter name", names.Count == 0 ? "{" : after)));
        return new ValueList<string>(names);
    }

    // proc name command [user u] [group g] [chroot dir]
    private void ParseProc(Token keyword)
    {
        var name = ExpectString("a proc name", "proc");
        var command = ExpectString("a command", name);
        var p = ParseProcParams();
        _procs.Add(new ProcDef { Name = name, Command = command, User = p.User, Group = p.Group, Chroot = p.Chroot, Protocol = p.Protocol, Timeout = p.Timeout, Where = Where(keyword) });
    }

    // [user u] [group g] [chroot dir] [protocol "0.6"|"0.7"] [timeout delay]; the last two are ours.
    private (string? User, string? Group, string? Chroot, string? Protocol, int? Timeout) ParseProcParams()
    {
        string? user = null, group = null, chroot = null, protocol = null;
        int? timeout = null;
        while (!Peek().IsEnd)
        {
            var option = Next();
            ref var slot = ref user;
            switch (option.Kind == TokenKind.Word ? option.Text : string.Empty)
            {
                case "user": break;
                case "group": slot = ref group; break;
                case "chroot": slot = ref chroot; break;
                case "protocol":
                    if (protocol is not null)
                    {
                        Fail(option, "protocol already specified for this process");
                    }

                    protocol = ExpectString("a protocol version", "protocol");
                    if (protocol is not ("0.6" or "0.7"))
                    {
                        Fail(option, $"filter protocol version must be 0.6 or 0.7, not \"{protocol}\"");
                    }

                    continue;
                case "timeout":
                    if (timeout is not null)
                    {
                        Fail(option, "timeout already specified for this process");
                    }

                    var delay = Next();
                    timeout = Durations.Parse(delay.Text);
                    if (timeout < 1)
                    {
                        Fail(delay, $"syntax error: expected a delay such as 30s, got {delay.Describe()}");
                    }

                    continue;
                default:
                    Fail(option, $"syntax error: expected user, group, chroot, protocol or timeout, got {option.Describe()}");
                    break;
            }
            if (slot is not null)
            {
                Fail(option, $"{option.Text} already specified for this process");
            }
            slot = ExpectString(option.Text == "chroot" ? "a directory" : "a name", option.Text);
        }
        return (user, group, chroot, protocol, timeout);
    }
}
