// "action" statements: local delivery methods and relay, with their options.
// Behaviour reference: usr.sbin/smtpd/parse.y (dispatcher, dispatcher_local, dispatcher_remote).
namespace Smtpd.Config;

internal sealed partial class Parser
{
    // action name method [options]
    private void ParseAction(Token keyword)
    {
        var name = ExpectString("an action name", "action");
        // Remembered until the statement parses, so the checker knows the name was meant to exist.
        _brokenActions.Add(name);
        var action = ParseActionMethod(name, keyword);
        action = ParseActionOptions(action);
        _actions.Add(action);
        _brokenActions.Remove(name);
    }

    private ActionDef ParseActionMethod(string name, Token keyword)
    {
        var token = Next();
        var action = new ActionDef { Name = name, Method = ActionMethod.Mbox, Where = Where(keyword) };
        switch (token.Kind == TokenKind.Word ? token.Text : string.Empty)
        {
            case "mbox":
                return action;
            case "maildir":
                if (IsStringToken(Peek()))
                {
                    action = action with { MaildirPath = Next().Text };
                }
                return action with { Method = ActionMethod.Maildir, Junk = Accept("junk") };
            case "lmtp":
                var destination = ExpectString("an LMTP destination (host:port or socket path)", "lmtp");
                return action with { Method = ActionMethod.Lmtp, LmtpDestination = destination, LmtpRcptTo = Accept("rcpt-to") };
            case "mda":
                return action with { Method = ActionMethod.Mda, MdaCommand = ExpectString("a command", "mda") };
            case "forward-only":
                return action with { Method = ActionMethod.ForwardOnly };
            case "expand-only":
                return action with { Method = ActionMethod.ExpandOnly };
            case "relay":
                return action with { Method = ActionMethod.Relay };
            default:
                Fail(token, $"syntax error: expected a delivery method (mbox, maildir, lmtp, mda, forward-only, expand-only, relay) after action \"{name}\", got {token.Describe()}");
                return action;
        }
    }

    private ActionDef ParseActionOptions(ActionDef a)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (!Peek().IsEnd)
        {
            var option = Next();
            if (option.Kind != TokenKind.Word)
            {
                Fail(option, $"syntax error: expected an action option, got {option.Describe()}");
            }
            var key = option.Text;
            if (key == "ttl")
            {
                if (!seen.Add(key))
                {
                    Fail(option, "ttl already specified for this action");
                }
                a = a with { Ttl = ExpectDelay("ttl delay", "ttl") };
                continue;
            }
            a = a.IsRelay ? ParseRelayOption(a, option, seen) : ParseLocalOption(a, option, seen);
        }
        return a;
    }

    private ActionDef ParseLocalOption(ActionDef a, Token option, HashSet<string> seen)
    {
        var key = option.Text;
        if (key is "alias" or "virtual" && (a.Alias is not null || a.Virtual is not null))
        {
            Fail(option, $"{(a.Alias is not null ? "alias" : "virtual")} mapping already specified for this action");
        }
        if (key is "user" or "userbase" or "wrapper" && !seen.Add(key))
        {
            Fail(option, $"{key} already specified for this action");
        }
        switch (key)
        {
            case "alias":
                return a with { Alias = ParseTables("alias") };
            case "virtual":
                return a with { Virtual = ParseTables("virtual") };
            case "userbase":
                return a with { Userbase = ParseTables("userbase") };
            case "user":
                if (a.Method is ActionMethod.Mbox or ActionMethod.ForwardOnly or ActionMethod.ExpandOnly)
                {
                    Fail(option, $"user may not be specified for a{(a.Method == ActionMethod.Mbox ? "n mbox" : " " + MethodName(a.Method))} action");
                }
                return a with { User = ExpectString("a user name", "user") };
            case "wrapper":
                return a with { Wrapper = ExpectString("a wrapper name", "wrapper") };
            default:
                Fail(option, $"syntax error: expected an option of a local action (alias, virtual, userbase, user, wrapper, ttl), got {option.Describe()}");
                return a;
        }
    }

    private ActionDef ParseRelayOption(ActionDef a, Token option, HashSet<string> seen)
    {
        var key = option.Text switch
        {
            "host" or "domain" => "host",
            _ => option.Text,
        };
        if (!seen.Add(key))
        {
            Fail(option, $"{(key == "host" ? "host mapping" : key)} already specified for this action");
        }
        if ((key == "host" && seen.Contains("backup")) || (key == "backup" && seen.Contains("host")))
        {
            Fail(option, $"backup and {(a.Domain is not null || option.Text == "domain" ? "domain" : "host")} are mutually exclusive");
        }
        switch (option.Text)
        {
            case "helo":
                return a with { Helo = ExpectString("a host name", "helo") };
            case "helo-src":
                return a with { HeloSrc = ParseTables("helo-src") };
            case "pki":
                return a with { Pki = ExpectString("a pki name", "pki") };
            case "ca":
                return a with { Ca = ExpectString("a ca name", "ca") };
            case "ciphers":
                return a with { Ciphers = ExpectString("a cipher list", "ciphers") };
            case "protocols":
                return a with { Protocols = ExpectString("a protocol list", "protocols") };
            case "src":
                return a with { Src = ParseTables("src") };
            case "mail-from":
                return a with { MailFrom = ExpectString("a mail address", "mail-from") };
            case "backup":
                return a with { Backup = true, BackupMx = Accept("mx") ? ExpectString("a host name", "backup mx") : null };
            case "host":
                return a with { Host = ParseTables("host") };
            case "domain":
                return a with { Domain = ParseTables("domain") };
            case "tls":
                return a with { Tls = Accept("no-verify") ? RelayTls.RequiredNoVerify : RelayTls.Required };
            case "auth":
                // parse.y reads the options in order: the host (or domain) must come first.
                if (a.Host is null && a.Domain is null)
                {
                    Error(option, "auth may not be specified without host on a relay action (write host or domain before auth)");
                }
                return a with { Auth = ParseTables("auth") };
            case "filter":
                return Peek().IsPunct('{')
                    ? a with { FilterChain = ParseFilterNames("filter") }
                    : a with { Filter = ExpectString("a filter name or \"{\"", "filter") };
            case "srs":
                // As in parse.y, the key must be known when the action is read.
                if (_globals.SrsKey is null)
                {
                    Error(option, $"action \"{a.Name}\": srs requires an srs key declared before this action (add \"srs key SECRET\" above it)");
                }
                return a with { Srs = true };
            default:
                Fail(option, $"syntax error: expected a relay option (host, domain, backup, helo, helo-src, src, tls, auth, mail-from, pki, ca, ciphers, protocols, filter, srs, ttl), got {option.Describe()}");
                return a;
        }
    }

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
