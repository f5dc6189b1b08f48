// "listen on" statements: network listeners and the local socket, with every option.
// Behaviour reference: usr.sbin/smtpd/parse.y (listen, listener_type, opt_if_listen, opt_sock_listen).
namespace Smtpd.Config;

internal sealed partial class Parser
{
    private const int MaxPkisPerListener = 32;
    private const int MaxTagLength = 32;

    // listen on (socket sock_options | interface if_options)
    private void ParseListen(Token keyword)
    {
        Expect("on", "listen");
        var listener = new ListenerDef { Where = Where(keyword) };
        if (Accept("socket"))
        {
            listener = listener with { IsSocket = true };
        }
        else
        {
            listener = listener with { Interface = ExpectString("an interface, address or \"socket\"", "listen on") };
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (!Peek().IsEnd)
        {
            var option = Next();
            if (option.Kind != TokenKind.Word)
            {
                Fail(option, $"syntax error: expected {(listener.IsSocket ? "a socket listener option (filter, mask-src, no-dsn, tag)" : "a listen option")}, got {option.Describe()}");
            }
            var key = option.Text switch
            {
                "inet4" or "inet6" => "family",
                "smtps" or "tls" or "tls-require" => "tls",
                "auth" or "auth-optional" => "auth",
                "certificate" => "pki",
                _ => option.Text,
            };
            if (key != "pki" && !seen.Add(key))
            {
                Fail(option, key switch
                {
                    "family" => "address family already specified",
                    "tls" => "TLS mode already specified",
                    _ => $"{key} already specified",
                });
            }
            listener = listener.IsSocket ? ParseSocketOption(listener, option) : ParseInterfaceOption(listener, option);
        }
        _listeners.Add(listener);
    }

    // The local socket only takes the options that make sense without a network peer.
    private ListenerDef ParseSocketOption(ListenerDef l, Token option) => option.Text switch
    {
        "filter" => ParseListenFilter(l),
        "mask-src" => l with { MaskSrc = true },
        "no-dsn" => l with { NoDsn = true },
        "tag" => l with { Tag = ExpectTag() },
        _ => FailOption(option, "a socket listener option (filter, mask-src, no-dsn, tag)"),
    };

    private ListenerDef ParseInterfaceOption(ListenerDef l, Token option)
    {
        switch (option.Text)
        {
            case "inet4":
            case "inet6":
                return l with { Family = option.Text };
            case "port":
                return l with { Port = ExpectPort() };
            case "filter":
                return ParseListenFilter(l);
            case "smtps":
                return l with { Tls = ListenerTls.Smtps, TlsVerify = Accept("verify") };
            case "tls":
                return l with { Tls = ListenerTls.StartTls };
            case "tls-require":
                return l with { Tls = ListenerTls.StartTlsRequire, TlsVerify = Accept("verify") };
            case "ciphers":
                return l with { Ciphers = ExpectString("a cipher list", "ciphers") };
            case "protocols":
                return l with { Protocols = ExpectString("a protocol list", "protocols") };
            case "curves":
                return l with { Curves = ExpectString("a list of curves", "curves") };
            case "pki" when Peek().IsPunct('<'):
                if (l.PkiTable is not null)
                {
                    Fail(option, "pki table already specified");
                }
                return l with { PkiTable = ParseTables("pki") };
            case "pki":
            case "certificate":
                if (l.Pkis.Count == MaxPkisPerListener)
                {
                    Fail(option, "too many pki specified");
                }
                if (option.Text == "certificate")
                {
                    Notice(option, "legacy syntax translated: listener option certificate is now written pki");
                }
                return l with { Pkis = new ValueList<string>([.. l.Pkis, ExpectString("a pki name", option.Text)]) };
            case "ca":
                return l with { Ca = ExpectString("a ca name", "ca") };
            case "auth":
            case "auth-optional":
                var authTable = PeekTableStart() ? ParseTables(option.Text) : null;
                return l with { Auth = option.Text == "auth" ? ListenerAuth.Required : ListenerAuth.Optional, AuthTable = authTable };
            case "tag":
                return l with { Tag = ExpectTag() };
            case "hostname":
                return l with { Hostname = ExpectString("a host name", "hostname") };
            case "hostnames":
                return l with { Hostnames = ParseTables("hostnames") };
            case "mask-src":
                return l with { MaskSrc = true };
            case "received-auth":
                return l with { ReceivedAuth = true };
            case "no-dsn":
                return l with { NoDsn = true };
            case "proxy-v2":
                return l with { ProxyV2 = true };
            case "fingerprints":
                return l with { ClientFingerprints = ParseTables("fingerprints") };
            case "senders":
                var senders = ParseTables("senders");
                return l with { Senders = senders, Masquerade = Accept("masquerade") };
            default:
                return FailOption(option, "a listen option");
        }
    }

    private ListenerDef FailOption(Token option, string expected)
    {
        Fail(option, $"syntax error: expected {expected}, got {option.Describe()}");
        return null!;
    }

    private ListenerDef ParseListenFilter(ListenerDef l)
    {
        if (Peek().IsPunct('{'))
        {
            return l with { FilterChain = ParseFilterNames("filter") };
        }
        return l with { Filter = ExpectString("a filter name or \"{\"", "filter") };
    }

    private string ExpectTag()
    {
        var token = Peek();
        var tag = ExpectString("a tag", "tag");
        if (tag.Length > MaxTagLength)
        {
            Fail(token, $"tag name too long (at most {MaxTagLength} characters)");
        }
        return tag;
    }

    // port (number | smtp | smtps | service name)
    private int ExpectPort()
    {
        var token = Next();
        if (token.Kind == TokenKind.Number)
        {
            if (token.Number is <= 0 or > 65535)
            {
                Fail(token, $"invalid port: {token.Text} (expected 1 to 65535)");
            }
            return (int)token.Number;
        }
        if (token.Kind is TokenKind.Word or TokenKind.String)
        {
            // Only the services a mail server listens on; OpenSMTPD asks getservbyname(3).
            int? port = token.Text switch
            {
                "smtp" => 25,
                "smtps" or "submissions" => 465,
                "submission" => 587,
                "lmtp" => 24,
                _ => null,
            };
            if (port is null)
            {
                Fail(token, $"invalid port: \"{token.Text}\" (expected a number or smtp, smtps, submission, submissions)");
            }
            return port.Value;
        }
        Fail(token, $"syntax error: expected a port after \"port\", got {token.Describe()}");
        return 0;
    }
}
