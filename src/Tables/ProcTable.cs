// External table backends: a program (PATH_LIBEXEC/table-<backend>) speaking the smtpd-tables(7)
// line protocol 0.1 on its stdin/stdout, asked one question at a time. Where OpenSMTPD exits on
// a broken table program, we answer TempFail, log why, and start a fresh program later.
// Behaviour reference: usr.sbin/smtpd/table_proc.c, smtpd.c fork_proc_backend().
using System.Globalization;
using Smtpd.Runtime;

namespace Smtpd.Tables;

internal sealed class ProcTable : ITable, IDisposable
{
    private const string ProtocolVersion = "0.1";

    // The OpenSMTPD release whose behaviour we follow, announced as smtpd-version.
    private const string SmtpdVersion = "7.8.0";

    // A program that died is not restarted more often than this, so a crashing one cannot
    // turn every lookup into a fork.
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(5);

    private readonly object _lock = new();
    private readonly string _program;
    private readonly string? _argument;
    private ProcTableProcess? _proc;
    private DateTime _lastStart = DateTime.MinValue;

    public ProcTable(string name, string program, string? argument, TimeSpan? timeout = null)
    {
        Name = name;
        _program = program;
        _argument = argument;
        Timeout = timeout ?? TimeSpan.FromSeconds(10);
    }

    public string Name { get; }

    public TimeSpan Timeout { get; }

    /// <summary>Where external table programs live; SMTPD_LIBEXEC points a test instance elsewhere.</summary>
    public static string LibexecDir =>
        Environment.GetEnvironmentVariable("SMTPD_LIBEXEC") is { Length: > 0 } dir ? dir : "/usr/libexec/opensmtpd";

    /// <summary>The services the running program registered (None before the first handshake).</summary>
    public TableService Services { get; private set; }

    public MatchResult Match(TableService service, string key) => Ask("check", service, key).Result;

    public (MatchResult Result, string? Value) Lookup(TableService service, string key) => Ask("lookup", service, key);

    /// <summary>Starts the program and does the handshake now, as smtpd does at startup; false (logged) when that fails.</summary>
    public bool Start()
    {
        lock (_lock)
        {
            return Running() is not null;
        }
    }

    /// <summary>
    /// smtpctl update table: the program is asked to reload ("update"), as OpenSMTPD does,
    /// rather than restarted, so it may keep whatever state it wants to.
    /// </summary>
    public (bool Ok, string Error) Update()
    {
        lock (_lock)
        {
            var proc = Running();
            if (proc is null)
            {
                return (false, "the table program is not running");
            }

            string id = Random.Shared.Next().ToString("x8", CultureInfo.InvariantCulture);
            string? reply = proc.Exchange($"table|{ProtocolVersion}|{Timestamp()}|{Name}|update|{id}", Timeout, out string? failure);
            string prefix = $"update-result|{id}|";
            string rest = reply is not null && reply.StartsWith(prefix, StringComparison.Ordinal) ? reply[prefix.Length..] : string.Empty;
            if (rest == "ok")
            {
                return (true, string.Empty);
            }

            if (rest == "error" || rest.StartsWith("error|", StringComparison.Ordinal))
            {
                return (false, rest.Length > 6 ? rest[6..] : "update failed");
            }

            Broken(failure ?? $"failed to parse reply: \"{Shorten(reply!)}\"");
            return (false, "the table program did not answer the update");
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _proc?.Dispose();
            _proc = null;
        }
    }

    private (MatchResult Result, string? Value) Ask(string request, TableService service, string key)
    {
        if (key.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            return (MatchResult.TempFail, null);
        }

        lock (_lock)
        {
            var proc = Running();
            if (proc is null)
            {
                return (MatchResult.TempFail, null);
            }

            if ((Services & service) == 0)
            {
                Log.Warn($"warn: table-proc: {Name}: program did not register the {ServiceName(service)} service");
                return (MatchResult.TempFail, null);
            }

            string id = Random.Shared.Next().ToString("x8", CultureInfo.InvariantCulture);
            // OpenSMTPD lower-cases every key before a backend sees it (table_lookup), and table
            // programs (table-sqlite, table-ldap...) compare what they get as it is.
            string line = $"table|{ProtocolVersion}|{Timestamp()}|{Name}|{request}|{ServiceName(service)}|{id}|{key.ToLowerInvariant()}";
            string? reply = proc.Exchange(line, Timeout, out string? failure);
            if (reply is null)
            {
                return Broken(failure!);
            }

            string prefix = $"{request}-result|{id}|";
            if (!reply.StartsWith(prefix, StringComparison.Ordinal))
            {
                return Broken($"reply does not answer the request: \"{Shorten(reply)}\"");
            }

            string rest = reply[prefix.Length..];
            if (rest == "not-found")
            {
                return (MatchResult.NoMatch, null);
            }

            if (rest == "error" || rest.StartsWith("error|", StringComparison.Ordinal))
            {
                Log.Warn($"warn: table-proc: {Name} {request} failed: {(rest.Length > 6 ? rest[6..] : "error")}");
                return (MatchResult.TempFail, null);
            }

            if (request == "check" && rest == "found")
            {
                return (MatchResult.Match, null);
            }

            if (request == "lookup" && rest.StartsWith("found|", StringComparison.Ordinal) && rest.Length > 6)
            {
                return (MatchResult.Match, rest[6..]);
            }

            return Broken($"failed to parse reply: \"{Shorten(reply)}\"");
        }
    }

    // After a bad reply the conversation is out of step, so the program is stopped; the next
    // lookup after RestartDelay starts a new one.
    private (MatchResult, string?) Broken(string why)
    {
        Log.Warn($"warn: table-proc: {Name}: {why}; stopping the table program, lookups answer a temporary failure");
        _proc?.Dispose();
        _proc = null;
        return (MatchResult.TempFail, null);
    }

    private ProcTableProcess? Running()
    {
        if (_proc is not null)
        {
            return _proc;
        }

        if (DateTime.UtcNow - _lastStart < RestartDelay)
        {
            return null;
        }

        _lastStart = DateTime.UtcNow;
        ProcTableProcess proc;
        try
        {
            proc = ProcTableProcess.Start(_program, _argument);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            Log.Warn($"warn: table-proc: {Name}: cannot run {_program}: {e.Message}");
            return null;
        }

        string[] hello =
        [
            $"config|smtpd-version|{SmtpdVersion}",
            $"config|protocol|{ProtocolVersion}",
            $"config|tablename|{Name}",
            "config|ready",
        ];
        var services = TableService.None;
        string? line = proc.Exchange(string.Join('\n', hello), Timeout, out string? failure);
        while (line is not null && line != "register|ready")
        {
            var s = line.StartsWith("register|", StringComparison.Ordinal) ? ServiceFromName(line[9..]) : TableService.None;
            if (s == TableService.None)
            {
                failure = $"invalid handshake line \"{Shorten(line)}\"";
                line = null;
                break;
            }

            services |= s;
            line = proc.Exchange(null, Timeout, out failure);
        }

        if (line is null || services == TableService.None)
        {
            Log.Warn($"warn: table-proc: {Name}: handshake failed: {failure ?? "no services registered"}");
            proc.Dispose();
            return null;
        }

        Services = services;
        _proc = proc;
        return proc;
    }

    // Seconds and microseconds, as table_proc.c prints the time of a request.
    private static string Timestamp()
    {
        long us = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10;
        return $"{us / 1_000_000}.{us % 1_000_000:D6}";
    }

    private static string Shorten(string s) => s.Length > 80 ? s[..80] + "..." : s;

    internal static string ServiceName(TableService s) => s.ToString().ToLowerInvariant();

    internal static TableService ServiceFromName(string name) => name switch
    {
        "alias" => TableService.Alias,
        "domain" => TableService.Domain,
        "credentials" => TableService.Credentials,
        "netaddr" => TableService.Netaddr,
        "userinfo" => TableService.Userinfo,
        "source" => TableService.Source,
        "mailaddr" => TableService.Mailaddr,
        "addrname" => TableService.Addrname,
        "mailaddrmap" => TableService.Mailaddrmap,
        "relayhost" => TableService.Relayhost,
        "string" => TableService.String,
        "regex" => TableService.Regex,
        _ => TableService.None,
    };
}
