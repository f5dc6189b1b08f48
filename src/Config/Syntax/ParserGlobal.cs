// Statements that set daemon-wide options: admd, bounce, mda, mta, queue, scheduler, smtp, srs.
// Behaviour reference: usr.sbin/smtpd/parse.y (admd, bounce, mda, mta, queue, scheduler, smtp, srs, limits_*).
namespace Smtpd.Config;

internal sealed partial class Parser
{
    private const int MaxBounceWarnIntervals = 4;
    private const int QueueKeyLength = 32;

    private static readonly string[] MdaLimitKeys = ["max-session", "max-session-per-user", "task-lowat", "task-hiwat", "task-release"];
    private static readonly string[] SchedulerLimitKeys = ["max-inflight", "max-evp-batch-size", "max-msg-batch-size", "max-schedule"];
    // max-mails and max-rcpt are OpenSMTPD's; the others bound what one client, or all of them,
    // may hold of the daemon (sessions, errors, time), named after `mda limit max-session`.
    private static readonly string[] SmtpLimitKeys =
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

    private void ParseAdmd(Token keyword)
    {
        var token = Peek();
        var admd = ExpectString("an authserv-id", keyword.Text);
        if (admd.Any(c => c < ' ' || c > '~'))
        {
            Fail(token, "not a valid admd: only printable ASCII characters are allowed");
        }
        _globals = _globals with { Admd = admd, AdmdWhere = Where(keyword) };
    }

    // bounce warn-interval delay [, delay ...]
    private void ParseBounce(Token keyword)
    {
        Expect("warn-interval", keyword.Text);
        _globals = _globals with { BounceWarnIntervals = ParseDelayList("warn-interval") };
    }

    private ValueList<int> ParseDelayList(string after)
    {
        var delays = new List<int> { ExpectDelay("bounce delay", after) };
        while (Peek().IsPunct(','))
        {
            Next();
            delays.Add(ExpectDelay("bounce delay", ","));
        }
        // Every delay is checked, but only the first ones are kept, as OpenSMTPD does.
        return new ValueList<int>(delays.Take(MaxBounceWarnIntervals));
    }

    // mda limit (key number)* | mda wrapper name command
    private void ParseMda(Token keyword)
    {
        if (Accept("wrapper"))
        {
            var name = ExpectString("a wrapper name", "wrapper");
            var command = ExpectString("a command", name);
            if (_wrappers.Any(w => w.Name == name))
            {
                Fail(keyword, $"mda wrapper \"{name}\" already defined");
            }
            _wrappers.Add(new MdaWrapperDef(name, command) { Where = Where(keyword) });
            return;
        }
        Expect("limit", "mda");
        _mdaLimits.AddRange(ParseLimits(MdaLimitKeys, "mda"));
    }

    // mta max-deferred n | mta limit [for domain d] (inet4 | inet6 | key number)*
    private void ParseMta(Token keyword)
    {
        if (Accept("max-deferred"))
        {
            _globals = _globals with { MtaMaxDeferred = ExpectNumber("a number", "max-deferred"), MtaMaxDeferredWhere = Where(keyword) };
            return;
        }
        var limit = Next();
        if (!IsKeyword(limit, "limit"))
        {
            Fail(limit, $"syntax error: expected \"max-deferred\" or \"limit\" after \"mta\", got {limit.Describe()}");
        }
        ParseMtaLimit(keyword);
    }

    // [for domain d] (inet4 | inet6 | key number)*
    private void ParseMtaLimit(Token keyword)
    {
        var def = new MtaLimitDef { Where = Where(keyword) };
        if (Accept("for"))
        {
            Expect("domain", "for");
            def = def with { Domain = ExpectString("a domain", "domain") };
        }
        var settings = new List<LimitSetting>();
        while (!Peek().IsEnd)
        {
            if (PeekKeyword("inet4") || PeekKeyword("inet6"))
            {
                def = def with { Family = Next().Text };
                continue;
            }
            settings.AddRange(ParseLimits(MtaLimitKeys, "mta", single: true));
        }
        _mtaLimits.Add(def with { Settings = new ValueList<LimitSetting>(settings) });
    }

    private void ParseScheduler(Token keyword)
    {
        Expect("limit", keyword.Text);
        _schedulerLimits.AddRange(ParseLimits(SchedulerLimitKeys, "scheduler"));
    }

    // queue compression | queue encryption [key] | queue ttl delay
    private void ParseQueue(Token keyword)
    {
        var option = Next();
        switch (option.Kind == TokenKind.Word ? option.Text : string.Empty)
        {
            case "compression":
                _globals = _globals with { QueueCompression = true };
                break;
            case "encryption":
                string? key = null;
                if (PeekKeyword("key"))
                {
                    // Before 6.4 the key followed the word "key".
                    Notice(Next(), "legacy syntax translated: queue encryption key is now written queue encryption");
                    if (!IsStringToken(Peek()) && !Peek().IsPunct('-'))
                    {
                        ExpectString("a key", "key");
                    }
                }
                if (IsStringToken(Peek()) || Peek().IsPunct('-'))
                {
                    var keyToken = Next();
                    key = keyToken.Text is "-" || keyToken.Text.Equals("stdin", StringComparison.OrdinalIgnoreCase) ? "stdin" : keyToken.Text;
                    // The key is used as it is written: 32 characters, e.g. from "openssl rand -hex 16".
                    if (key != "stdin" && key.Length != QueueKeyLength)
                    {
                        Error(keyToken, $"invalid key for queue encryption: it must be {QueueKeyLength} characters long, not {key.Length} (e.g. the output of \"openssl rand -hex 16\")");
                    }
                }
                _globals = _globals with { QueueEncryption = true, QueueKey = key ?? _globals.QueueKey };
                break;
            case "ttl":
                _globals = _globals with { QueueTtl = ExpectDelay("queue ttl delay", "ttl") };
                break;
            default:
                Fail(option, $"syntax error: expected compression, encryption or ttl after \"{keyword.Text}\", got {option.Describe()}");
                break;
        }
    }

    // smtp limit ... | smtp ciphers c | smtp max-message-size size | smtp sub-addr-delim c
    private void ParseSmtp(Token keyword)
    {
        var option = Next();
        switch (option.Kind == TokenKind.Word ? option.Text : string.Empty)
        {
            case "limit":
                _smtpLimits.AddRange(ParseLimits(SmtpLimitKeys, "smtp"));
                break;
            case "ciphers":
                _globals = _globals with { SmtpCiphers = ExpectString("a cipher list", "ciphers"), SmtpCiphersWhere = Where(keyword) };
                break;
            case "max-message-size":
                _globals = _globals with { SmtpMaxMessageSize = ExpectSize("max-message-size") };
                break;
            case "sub-addr-delim":
                _globals = _globals with { SmtpSubAddrDelim = ExpectSubAddrDelim("sub-addr-delim") };
                break;
            default:
                Fail(option, $"syntax error: expected limit, ciphers, max-message-size or sub-addr-delim after \"smtp\", got {option.Describe()}");
                break;
        }
    }

    private string ExpectSubAddrDelim(string after)
    {
        var token = Peek();
        var delim = ExpectString("a character", after);
        if (delim.Length != 1)
        {
            Fail(token, "sub-addr-delim must be one character");
        }
        if (delim[0] <= ' ' || delim[0] > '~' || delim[0] == '@')
        {
            Fail(token, "sub-addr-delim uses an invalid character");
        }
        return delim;
    }

    private long ExpectSize(string after)
    {
        var token = Next();
        var size = token.Kind == TokenKind.Number ? token.Number : IsStringToken(token) ? Durations.ParseSize(token.Text) : -2;
        if (size == -2)
        {
            Fail(token, $"syntax error: expected a size after \"{after}\", got {token.Describe()}");
        }
        if (size < 0)
        {
            Fail(token, $"invalid size: {token.Describe()}");
        }
        return size;
    }

    // srs key [backup] secret | srs ttl delay
    private void ParseSrs(Token keyword)
    {
        if (_globals.SrsWhere.Line == 0)
        {
            _globals = _globals with { SrsWhere = Where(keyword) };
        }
        var option = Next();
        switch (option.Kind == TokenKind.Word ? option.Text : string.Empty)
        {
            case "key":
                _globals = Accept("backup")
                    ? _globals with { SrsKeyBackup = ExpectString("a secret", "backup") }
                    : _globals with { SrsKey = ExpectString("a secret", "key") };
                break;
            case "ttl":
                var token = Peek();
                var ttl = ExpectDelay("srs ttl delay", "ttl");
                if (ttl < 86400)
                {
                    Fail(token, $"srs ttl \"{token.Text}\" is too short: SRS counts whole days");
                }
                _globals = _globals with { SrsTtl = ttl / 86400 * 86400 };
                break;
            default:
                Fail(option, $"syntax error: expected key or ttl after \"{keyword.Text}\", got {option.Describe()}");
                break;
        }
    }

    private List<LimitSetting> ParseLimits(string[] keys, string what, bool single = false)
    {
        var settings = new List<LimitSetting>();
        while (!Peek().IsEnd)
        {
            var key = Next();
            if (key.Kind != TokenKind.Word || !keys.Contains(key.Text))
            {
                Fail(key, $"invalid {what} limit keyword: {key.Describe()} (expected one of {string.Join(", ", keys)})");
            }
            // A timeout is a delay ("5m"); a bare number is seconds.
            long value = key.Text.EndsWith("-timeout", StringComparison.Ordinal) && Peek().Kind != TokenKind.Number
                ? ExpectDelay("a delay", key.Text)
                : ExpectNumber("a number", key.Text);
            if (value < 1 && what == "smtp" && !key.Text.StartsWith("max-mails", StringComparison.Ordinal) && key.Text != "max-rcpt")
            {
                // Zero sessions or a zero deadline would refuse every client.
                Error(key, $"invalid smtp limit: {key.Text} must be at least 1");
            }
            settings.Add(new LimitSetting(key.Text, value) { Where = Where(key) });
            if (single)
            {
                break;
            }
        }
        return settings;
    }
}
