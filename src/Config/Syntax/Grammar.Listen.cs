// "listen on" statements: network listeners and the local socket, with every option.
// Behaviour reference: usr.sbin/smtpd/parse.y (listen, listener_type, opt_if_listen, opt_sock_listen).
using Pidgin;
using P = Pidgin.Parser<Smtpd.Config.Token>;

namespace Smtpd.Config;

internal static partial class Grammar
{
    private const int MaxPkisPerListener = 32;
    private const int MaxTagLength = 32;
    private const string SocketOptionExpected = "a socket listener option (filter, mask-src, no-dsn, tag)";

    // listen on (socket sock_options | interface if_options)
    public static readonly Parser<Token, Action<Parser>> Listen =
        from keyword in Kw("listen")
        from onWord in Expect("on", "listen")
        from target in Kw("socket").ThenReturn(new ListenerDef { IsSocket = true })
            .Else(Str("an interface, address or \"socket\"", "listen on").Select(i => new ListenerDef { Interface = i }))
        from listen in Options(new Listening(target, [], []), ListenOption)
        select new Action<Parser>(p =>
        {
            foreach (var at in listen.LegacyCertificate)
            {
                p.Notice(at, "legacy syntax translated: listener option certificate is now written pki");
            }
            p.AddListener(listen.Listener with { Where = Parser.Where(keyword) });
        });

    private sealed record Listening(ListenerDef Listener, HashSet<string> Seen, List<Token> LegacyCertificate);

    // Each option once (pki may repeat); inet4/inet6, the TLS modes and the auth modes are one option each.
    private static Parser<Token, Listening> ListenOption(Listening s) => ByToken(option =>
    {
        var l = s.Listener;
        if (option.Kind != TokenKind.Word)
        {
            return Unexpected<Listening>(t => $"syntax error: expected {(l.IsSocket ? SocketOptionExpected : "a listen option")}, got {t.Describe()}");
        }
        var key = option.Text switch
        {
            "inet4" or "inet6" => "family",
            "smtps" or "tls" or "tls-require" => "tls",
            "auth" or "auth-optional" => "auth",
            "certificate" => "pki",
            _ => option.Text,
        };
        if (key != "pki" && s.Seen.Contains(key))
        {
            return Unexpected<Listening>(_ => key switch
            {
                "family" => "address family already specified",
                "tls" => "TLS mode already specified",
                _ => $"{key} already specified",
            });
        }
        var seen = new HashSet<string>(s.Seen, StringComparer.Ordinal) { key };
        return (l.IsSocket ? SocketOption(l, option) : InterfaceOption(l, option))
            .Select(next => s with { Listener = next, Seen = seen, LegacyCertificate = option.Text == "certificate" ? [.. s.LegacyCertificate, option] : s.LegacyCertificate });
    });

    // The local socket only takes the options that make sense without a network peer.
    private static Parser<Token, ListenerDef> SocketOption(ListenerDef l, Token option) => option.Text switch
    {
        "filter" => P.Any.Then(ListenFilter(l)),
        "mask-src" => P.Any.ThenReturn(l with { MaskSrc = true }),
        "no-dsn" => P.Any.ThenReturn(l with { NoDsn = true }),
        "tag" => P.Any.Then(Tag).Select(tag => l with { Tag = tag }),
        _ => Unexpected<ListenerDef>(t => $"syntax error: expected {SocketOptionExpected}, got {t.Describe()}"),
    };

    private static Parser<Token, ListenerDef> InterfaceOption(ListenerDef l, Token option) => option.Text switch
    {
        "inet4" or "inet6" => P.Any.ThenReturn(l with { Family = option.Text }),
        "port" => P.Any.Then(Port).Select(port => l with { Port = port }),
        "filter" => P.Any.Then(ListenFilter(l)),
        "smtps" => P.Any.Then(Kw("verify").Optional()).Select(v => l with { Tls = ListenerTls.Smtps, TlsVerify = v.HasValue }),
        "tls" => P.Any.ThenReturn(l with { Tls = ListenerTls.StartTls }),
        "tls-require" => P.Any.Then(Kw("verify").Optional()).Select(v => l with { Tls = ListenerTls.StartTlsRequire, TlsVerify = v.HasValue }),
        "ciphers" => P.Any.Then(Str("a cipher list", "ciphers")).Select(c => l with { Ciphers = c }),
        "protocols" => P.Any.Then(Str("a protocol list", "protocols")).Select(c => l with { Protocols = c }),
        "curves" => P.Any.Then(Str("a list of curves", "curves")).Select(c => l with { Curves = c }),
        // pki <table>: certificates by host name from a table (our extension), or one pki by name.
        "pki" or "certificate" => P.Any.Then(ByToken(t => option.Text == "pki" && t.IsPunct('<')
            ? l.PkiTable is not null
                ? Unexpected<ListenerDef>(_ => "pki table already specified")
                : Tables("pki").Select(table => l with { PkiTable = table })
            : l.Pkis.Count == MaxPkisPerListener
                ? Unexpected<ListenerDef>(_ => "too many pki specified")
                : Str("a pki name", option.Text).Select(pki => l with { Pkis = new ValueList<string>([.. l.Pkis, pki]) }))),
        "ca" => P.Any.Then(Str("a ca name", "ca")).Select(ca => l with { Ca = ca }),
        "auth" or "auth-optional" => P.Any.Then(OptionalTables(option.Text))
            .Select(table => l with { Auth = option.Text == "auth" ? ListenerAuth.Required : ListenerAuth.Optional, AuthTable = table }),
        "tag" => P.Any.Then(Tag).Select(tag => l with { Tag = tag }),
        "hostname" => P.Any.Then(Str("a host name", "hostname")).Select(h => l with { Hostname = h }),
        "hostnames" => P.Any.Then(Tables("hostnames")).Select(h => l with { Hostnames = h }),
        "mask-src" => P.Any.ThenReturn(l with { MaskSrc = true }),
        "received-auth" => P.Any.ThenReturn(l with { ReceivedAuth = true }),
        "no-dsn" => P.Any.ThenReturn(l with { NoDsn = true }),
        "proxy-v2" => P.Any.ThenReturn(l with { ProxyV2 = true }),
        "fingerprints" => P.Any.Then(Tables("fingerprints")).Select(f => l with { ClientFingerprints = f }),
        "senders" => P.Any.Then(Tables("senders")).Then(Kw("masquerade").Optional(), (t, m) => l with { Senders = t, Masquerade = m.HasValue }),
        _ => Unexpected<ListenerDef>(t => $"syntax error: expected a listen option, got {t.Describe()}"),
    };

    private static Parser<Token, ListenerDef> ListenFilter(ListenerDef l) =>
        FilterNames("filter").Select(chain => l with { FilterChain = chain })
            .Else(Str("a filter name or \"{\"", "filter").Select(f => l with { Filter = f }));

    private static Parser<Token, string> Tag =>
        Str("a tag", "tag").Check(tag => tag.Length > MaxTagLength ? $"tag name too long (at most {MaxTagLength} characters)" : null);

    // port (number | smtp | smtps | service name); OpenSMTPD asks getservbyname(3), we know the mail ones.
    private static Parser<Token, int> Port =>
        P.Any.Select(t => (Token: t, Port: t.Kind == TokenKind.Number ? (int?)(t.Number is > 0 and <= 65535 ? (int)t.Number : -1)
                : t.Kind is TokenKind.Word or TokenKind.String ? t.Text switch
                {
                    "smtp" => 25,
                    "smtps" or "submissions" => 465,
                    "submission" => 587,
                    "lmtp" => 24,
                    _ => -2,
                }
                : null))
            .Check(p => p.Port switch
            {
                null => $"syntax error: expected a port after \"port\", got {p.Token.Describe()}",
                -1 => $"invalid port: {p.Token.Text} (expected 1 to 65535)",
                -2 => $"invalid port: \"{p.Token.Text}\" (expected a number or smtp, smtps, submission, submissions)",
                _ => null,
            })
            .Select(p => p.Port!.Value);
}
