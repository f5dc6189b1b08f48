// Statements that set daemon-wide options: admd, bounce, mda, mta, queue, scheduler, smtp, srs.
// Behaviour reference: usr.sbin/smtpd/parse.y (admd, bounce, mda, mta, queue, scheduler, smtp, srs, limits_*).
using Pidgin;
using P = Pidgin.Parser<Smtpd.Config.Token>;

namespace Smtpd.Config;

internal static partial class Grammar
{
    private const int MaxBounceWarnIntervals = 4;
    private const int QueueKeyLength = 32;

    internal static readonly string[] MdaLimitKeys = ["max-session", "max-session-per-user", "task-lowat", "task-hiwat", "task-release"];
    internal static readonly string[] SchedulerLimitKeys = ["max-inflight", "max-evp-batch-size", "max-msg-batch-size", "max-schedule"];
    // max-mails and max-rcpt are OpenSMTPD's; the others bound what one client, or all of them,
    // may hold of the daemon (sessions, errors, time), named after `mda limit max-session`.
    internal static readonly string[] SmtpLimitKeys =
    [
        "max-mails", "max-rcpt", "max-session", "max-session-per-address", "max-errors",
        "max-auth-failures", "command-timeout", "data-timeout",
    ];

    internal static readonly string[] MtaLimitKeys =
    [
        "max-conn-per-host", "max-conn-per-route", "max-conn-per-source", "max-conn-per-connector",
        "max-conn-per-relay", "max-conn-per-domain", "conn-delay-host", "conn-delay-route",
        "conn-delay-source", "conn-delay-connector", "conn-delay-relay", "conn-delay-domain",
        "reconn-delay-route", "session-mail-max", "session-transaction-delay", "session-keepalive",
        "max-failures-per-session", "task-hiwat", "task-lowat", "task-release",
    ];

    public static readonly Parser<Token, Action<Parser>> Admd =
        from keyword in Kw("admd")
        from admd in Str("an authserv-id", "admd")
            .Check(a => a.Any(c => c < ' ' || c > '~') ? "not a valid admd: only printable ASCII characters are allowed" : null)
        from end in EndOfStatement
        select Set(g => g with { Admd = admd, AdmdWhere = Parser.Where(keyword) });

    // bounce warn-interval delay [, delay ...]
    public static readonly Parser<Token, Action<Parser>> Bounce =
        from keyword in Kw("bounce")
        from warn in Expect("warn-interval", "bounce")
        from delays in DelayList("warn-interval")
        from end in EndOfStatement
        select Set(g => g with { BounceWarnIntervals = delays });

    // mda wrapper name command | mda limit (key number)*
    public static readonly Parser<Token, Action<Parser>> Mda =
        from keyword in Kw("mda")
        from statement in
            (from wrapper in Kw("wrapper")
             from name in Str("a wrapper name", "wrapper")
             from command in StrOf("a command", name)
             select new Action<Parser>(p => p.AddWrapper(new MdaWrapperDef(name, command) { Where = Parser.Where(keyword) }, keyword)))
            .Else(Expect("limit", "mda").Then(Limits(MdaLimitKeys, "mda")).Select(limits => new Action<Parser>(p => p.AddLimits(p.MdaLimits, limits))))
        from end in EndOfStatement
        select statement;

    // mta max-deferred n | mta limit [for domain d] (inet4 | inet6 | key number)*
    // | mta tls dane | mta mta-sts (our extensions: defaults for relay actions to MX hosts)
    public static readonly Parser<Token, Action<Parser>> Mta =
        from keyword in Kw("mta")
        from statement in
            Kw("max-deferred").Then(Num("a number", "max-deferred"))
                .Select(n => Set(g => g with { MtaMaxDeferred = n, MtaMaxDeferredWhere = Parser.Where(keyword) }))
            .Else(Kw("tls").Then(Expect("dane", "mta tls")).ThenReturn(Set(g => g with { MtaDane = true })))
            .Else(Kw("mta-sts").ThenReturn(Set(g => g with { MtaSts = true })))
            .Else(Kw("limit").Then(MtaLimit(keyword)))
            .Else(Unexpected<Action<Parser>>(t => $"syntax error: expected \"max-deferred\", \"limit\", \"tls dane\" or \"mta-sts\" after \"mta\", got {t.Describe()}"))
        from end in EndOfStatement
        select statement;

    public static readonly Parser<Token, Action<Parser>> Scheduler =
        from keyword in Kw("scheduler")
        from limit in Expect("limit", "scheduler")
        from limits in Limits(SchedulerLimitKeys, "scheduler")
        from end in EndOfStatement
        select new Action<Parser>(p => p.AddLimits(p.SchedulerLimits, limits));

    // queue compression | queue encryption [key] | queue ttl delay
    public static readonly Parser<Token, Action<Parser>> Queue =
        from keyword in Kw("queue")
        from statement in ByToken(option => WordOf(option) switch
        {
            "compression" => Kw("compression").ThenReturn(Set(g => g with { QueueCompression = true })),
            "encryption" => Kw("encryption").Then(QueueKey),
            "ttl" => Kw("ttl").Then(Delay("queue ttl delay", "ttl")).Select(ttl => Set(g => g with { QueueTtl = ttl })),
            _ => Unexpected<Action<Parser>>(t => $"syntax error: expected compression, encryption or ttl after \"queue\", got {t.Describe()}"),
        })
        from end in EndOfStatement
        select statement;

    // smtp limit ... | smtp ciphers c | smtp max-message-size size | smtp sub-addr-delim c
    public static readonly Parser<Token, Action<Parser>> Smtp =
        from keyword in Kw("smtp")
        from statement in ByToken(option => WordOf(option) switch
        {
            "limit" => Kw("limit").Then(Limits(SmtpLimitKeys, "smtp")).Select(limits => new Action<Parser>(p => p.AddLimits(p.SmtpLimits, limits))),
            "ciphers" => Kw("ciphers").Then(Str("a cipher list", "ciphers"))
                .Select(c => Set(g => g with { SmtpCiphers = c, SmtpCiphersWhere = Parser.Where(keyword) })),
            "max-message-size" => Kw("max-message-size").Then(Size("max-message-size")).Select(size => Set(g => g with { SmtpMaxMessageSize = size })),
            "sub-addr-delim" => Kw("sub-addr-delim").Then(SubAddrDelim("sub-addr-delim")).Select(d => Set(g => g with { SmtpSubAddrDelim = d })),
            _ => Unexpected<Action<Parser>>(t => $"syntax error: expected limit, ciphers, max-message-size or sub-addr-delim after \"smtp\", got {t.Describe()}"),
        })
        from end in EndOfStatement
        select statement;

    // srs key [backup] secret | srs ttl delay
    public static readonly Parser<Token, Action<Parser>> Srs =
        from keyword in Kw("srs")
        from statement in ByToken(option => WordOf(option) switch
        {
            "key" => Kw("key").Then(
                Kw("backup").Then(Str("a secret", "backup")).Select(k => Set(g => g with { SrsKeyBackup = k }))
                .Else(Str("a secret", "key").Select(k => Set(g => g with { SrsKey = k })))),
            "ttl" => Kw("ttl").Then(DelayToken("srs ttl delay", "ttl")
                .Check(d => d.Seconds < 86400 ? $"srs ttl \"{d.Token.Text}\" is too short: SRS counts whole days" : null))
                .Select(d => Set(g => g with { SrsTtl = d.Seconds / 86400 * 86400 })),
            _ => Unexpected<Action<Parser>>(t => $"syntax error: expected key or ttl after \"srs\", got {t.Describe()}"),
        })
        from end in EndOfStatement
        select new Action<Parser>(p =>
        {
            if (p.Globals.SrsWhere.Line == 0)
            {
                p.Globals = p.Globals with { SrsWhere = Parser.Where(keyword) };
            }
            statement(p);
        });

    private static Action<Parser> Set(Func<SmtpdConfig, SmtpdConfig> change) => p => p.Globals = change(p.Globals);

    // [for domain d] (inet4 | inet6 | key number)*
    private static Parser<Token, Action<Parser>> MtaLimit(Token keyword) =>
        from domain in Kw("for").Then(Expect("domain", "for")).Then(Str("a domain", "domain")).Optional()
        from def in Options(
            new MtaLimitDef { Where = Parser.Where(keyword), Domain = domain.HasValue ? domain.Value : null },
            def => ByToken(t => WordOf(t) is "inet4" or "inet6"
                ? P.Any.Select(f => def with { Family = f.Text })
                : Limit(MtaLimitKeys, "mta").Select(l => def with { Settings = new ValueList<LimitSetting>([.. def.Settings, l.Setting]) })))
        select new Action<Parser>(p => p.MtaLimits.Add(def));

    // Before 6.4 the key followed the word "key"; "-" or "stdin" reads it from the standard input.
    private static Parser<Token, Action<Parser>> QueueKey =>
        from legacy in Kw("key").Before(ByToken(t => IsStringToken(t) || t.IsPunct('-') ? P.Return(t) : Str("a key", "key").Select(_ => t))).Optional()
        from key in StringToken.Else(Punct('-')).Optional()
        select new Action<Parser>(p =>
        {
            if (legacy.HasValue)
            {
                p.Notice(legacy.Value, "legacy syntax translated: queue encryption key is now written queue encryption");
            }
            string? value = null;
            if (key.HasValue)
            {
                var k = key.Value;
                value = k.Text is "-" || k.Text.Equals("stdin", StringComparison.OrdinalIgnoreCase) ? "stdin" : k.Text;
                // The key is used as it is written: 32 characters, e.g. from "openssl rand -hex 16".
                if (value != "stdin" && value.Length != QueueKeyLength)
                {
                    p.Error(k, $"invalid key for queue encryption: it must be {QueueKeyLength} characters long, not {value.Length} (e.g. the output of \"openssl rand -hex 16\")");
                }
            }
            p.Globals = p.Globals with { QueueEncryption = true, QueueKey = value ?? p.Globals.QueueKey };
        });

    public static Parser<Token, ValueList<int>> DelayList(string after) =>
        from first in Delay("bounce delay", after)
        from rest in Punct(',').Then(Delay("bounce delay", ",")).Many()
        // Every delay is checked, but only the first ones are kept, as OpenSMTPD does.
        select new ValueList<int>(rest.Prepend(first).Take(MaxBounceWarnIntervals));

    /// <summary>"key number" pairs up to the end of the statement, each key one of <paramref name="keys"/>.</summary>
    public static Parser<Token, List<(LimitSetting Setting, Token Key)>> Limits(string[] keys, string what) =>
        Options(new List<(LimitSetting, Token)>(), list => Limit(keys, what).Select(l => new List<(LimitSetting, Token)>(list) { l }));

    private static Parser<Token, (LimitSetting Setting, Token Key)> Limit(string[] keys, string what) =>
        from key in P.Token(t => t.Kind == TokenKind.Word && keys.Contains(t.Text))
            .Else(Unexpected<Token>(t => $"invalid {what} limit keyword: {t.Describe()} (expected one of {string.Join(", ", keys)})"))
        // A timeout is a delay ("5m"); a bare number is seconds.
        from value in key.Text.EndsWith("-timeout", StringComparison.Ordinal)
            ? NumberToken.Select(t => t.Number).Else(Delay("a delay", key.Text).Select(d => (long)d))
            : Num("a number", key.Text)
        select (new LimitSetting(key.Text, value) { Where = Parser.Where(key) }, key);

    public static Parser<Token, long> Size(string after) =>
        P.Any.Select(t => (Token: t, Size: t.Kind == TokenKind.Number ? t.Number : IsStringToken(t) ? Durations.ParseSize(t.Text) : -2))
            .Check(s => s.Size == -2 ? $"syntax error: expected a size after \"{after}\", got {s.Token.Describe()}"
                : s.Size < 0 ? $"invalid size: {s.Token.Describe()}" : null)
            .Select(s => s.Size);

    public static Parser<Token, string> SubAddrDelim(string after) =>
        Str("a character", after).Check(d =>
            d.Length != 1 ? "sub-addr-delim must be one character"
            : d[0] <= ' ' || d[0] > '~' || d[0] == '@' ? "sub-addr-delim uses an invalid character"
            : null);
}
