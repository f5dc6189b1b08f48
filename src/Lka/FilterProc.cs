// One filter process as the lookup agent talks to it (smtpd-filters(7)): the config handshake,
// what it registered, its requests in flight, and the checks that keep a broken filter from
// harming the daemon. Where OpenSMTPD calls fatalx on anything unexpected (and so stops the
// whole server), here the filter alone is cut off: its waiting sessions get a temporary
// failure, the parent kills it and starts it again, and the daemon goes on.
// Behaviour reference: usr.sbin/smtpd/lka_proc.c (lka_proc_config, processor_io,
// processor_register), lka_filter.c (lka_filter_process_response, filter_protocol_query,
// filter_data_query), smtpd.c (fork_filter_process).
using System.Globalization;
using Smtpd.Interop;
using Smtpd.Runtime;

namespace Smtpd.Lka;

internal sealed class FilterProc : IDataLineStage
{
    /// <summary>The longest line a filter may send (OpenSMTPD has no limit; a flood needs one).</summary>
    public const int MaxLine = 64 * 1024;

    /// <summary>Answers for sessions or tokens nobody waits for, in a row, before the filter counts as flooding.</summary>
    public const int MaxUnsolicited = 10_000;

    /// <summary>Queued output to a filter that does not read, before it counts as hung.</summary>
    public const int MaxQueued = 16 * 1024 * 1024;

    /// <summary>Report events a filter may register (lka_filter.c smtp_events).</summary>
    public static readonly string[] Events =
    [
        "link-connect", "link-disconnect", "link-greeting", "link-identify", "link-tls", "link-auth",
        "tx-reset", "tx-begin", "tx-mail", "tx-rcpt", "tx-envelope", "tx-data", "tx-commit", "tx-rollback",
        "protocol-client", "protocol-server", "filter-report", "filter-response", "timeout",
    ];

    /// <summary>Filter phases a filter may register (lka_filter.c filter_execs).</summary>
    public static readonly string[] Phases =
    [
        "connect", "helo", "ehlo", "starttls", "auth", "mail-from", "rcpt-to", "data", "data-line",
        "rset", "quit", "noop", "help", "wiz", "commit",
    ];

    private readonly Action<string, string> _restart;
    private readonly string _hostname;
    private readonly Dictionary<(ulong Session, ulong Token), (TaskCompletionSource<FilterAnswer> Waiter, string Phase)> _pending = [];
    private readonly Dictionary<(ulong Session, ulong Token), Action<string?>> _dataSinks = [];
    private readonly HashSet<string> _phases = new(StringComparer.Ordinal);
    private readonly HashSet<string> _events = new(StringComparer.Ordinal);
    // Continuations run after the code that completes it: register|ready first sends the report
    // events kept during the handshake, so a session's link-connect reaches the process before
    // its connect request (filter-senderscore crashes on the reverse order).
    private TaskCompletionSource<bool> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _sendingEarlyReports;
    private HashSet<string>? _knownPhases;
    private readonly List<(long Time, string Name, ulong Session, string Fields)> _early = [];

    /// <summary>Report events kept for a process still in its handshake, at most.</summary>
    private const int MaxEarlyReports = 10_000;
    private LineSocket? _io;
    private int _generation;
    private int _unsolicited;

    /// <param name="name">The proc's name (a proc-exec filter's own name).</param>
    /// <param name="protocol">"0.7" (default) or "0.6", the version this filter is spoken to in.</param>
    /// <param name="hostname">The admd the handshake announces.</param>
    /// <param name="restart">Asks the parent to kill and restart the process, with the reason.</param>
    public FilterProc(string name, string protocol, string hostname, Action<string, string> restart)
    {
        Name = name;
        Protocol = protocol;
        _hostname = hostname;
        _restart = restart;
    }

    public string Name { get; }

    public string Protocol { get; }

    /// <summary>Protocol 0.6 (OpenSMTPD 6.x) rather than 0.7.</summary>
    public bool Legacy => Protocol == "0.6";

    public bool IsReady => _io is not null && _ready.Task.IsCompletedSuccessfully && _ready.Task.Result;

    public bool Registered(string phase) => _phases.Contains(phase);

    public bool Reports(string name) => _events.Contains(name);

    /// <summary>
    /// It only reads reports: its last handshake registered no filter phase. Such a process
    /// never holds a session up, also while it is down (it fails open).
    /// </summary>
    public bool ReportOnly => _knownPhases is { Count: 0 };

    /// <summary>
    /// Waits until the process finished its handshake, through a restart if one happens in
    /// time; false when it was not ready within <paramref name="timeout"/>.
    /// </summary>
    public async Task<bool> WaitReadyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var ready = _ready.Task;
            if (ready.IsCompleted)
            {
                if (ready.Result && _io is not null)
                {
                    return true;
                }

                if (ready == _ready.Task)
                {
                    return false;
                }

                continue;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || await Task.WhenAny(ready, Task.Delay(left)) != ready)
            {
                return false;
            }
        }
    }

    /// <summary>The parent started the process: speak the handshake on its stdio socket.</summary>
    public void Attach(SafeFd fd)
    {
        Detach(null);
        _generation++;
        _phases.Clear();
        _events.Clear();
        _early.Clear();
        _unsolicited = 0;
        var io = new LineSocket(fd, MaxLine);
        _io = io;
        io.Send("config|smtpd-version|7.8.0");
        if (!Legacy)
        {
            io.Send("config|protocol|" + Protocol);
        }

        io.Send("config|smtp-session-timeout|300");
        io.Send("config|subsystem|smtp-in");
        if (!Legacy)
        {
            io.Send("config|admd|" + _hostname);
        }

        io.Send("config|ready");
        _ = ReadLoopAsync(io, _generation);
    }

    /// <summary>The process's stderr: each line is logged under its name.</summary>
    public void AttachStderr(SafeFd fd) => _ = LogStderrAsync(new LineSocket(fd, MaxLine));

    /// <summary>Sends one filter request; the answer (or Failed after <paramref name="timeout"/>) completes the task.</summary>
    public async Task<FilterAnswer> QueryAsync(ulong session, ulong token, string phase, string parameter, TimeSpan timeout)
    {
        if (_io is null)
        {
            return FilterAnswer.Failed("not running");
        }

        var waiter = new TaskCompletionSource<FilterAnswer>();
        _pending[(session, token)] = (waiter, phase);
        _io.Send(string.Create(CultureInfo.InvariantCulture, $"filter|{Protocol}|{Timestamp()}|smtp-in|{phase}|{session:x16}|{token:x16}|{parameter}"));
        using var cancel = new CancellationTokenSource();
        var timer = Task.Delay(timeout, cancel.Token);
        if (await Task.WhenAny(waiter.Task, timer) != waiter.Task)
        {
            _pending.Remove((session, token));
            Log.Warn($"warn: filter \"{Name}\": no answer to {phase} of session {session:x16} within {timeout.TotalSeconds:0} seconds");
            return FilterAnswer.Failed("timeout");
        }

        cancel.Cancel();
        return await waiter.Task;
    }

    /// <summary>Message lines of one session go to this filter; what it sends back goes to <paramref name="sink"/> (null: it failed).</summary>
    public void OpenData(ulong session, ulong token, Action<string?> sink) => _dataSinks[(session, token)] = sink;

    public void CloseData(ulong session, ulong token) => _dataSinks.Remove((session, token));

    public void SendDataLine(ulong session, ulong token, string line)
    {
        if (_io is null)
        {
            return;
        }

        _io.Send(string.Create(CultureInfo.InvariantCulture, $"filter|{Protocol}|{Timestamp()}|smtp-in|data-line|{session:x16}|{token:x16}|{line}"));
        if (_io.Queued > MaxQueued)
        {
            Violation("does not read its input");
        }
    }

    /// <summary>
    /// One report event, its fields already formatted after the session id, sent if the process
    /// registered it. Events of a process still in its handshake wait for its register|ready
    /// (sessions are served meanwhile, where OpenSMTPD would not accept them yet).
    /// </summary>
    public void SendReport(long timeMicroseconds, string name, ulong session, string rest)
    {
        if (_io is null)
        {
            return;
        }

        if (!IsReady && !_sendingEarlyReports)
        {
            if (_early.Count < MaxEarlyReports)
            {
                _early.Add((timeMicroseconds, name, session, rest));
            }

            return;
        }

        if (!_events.Contains(name))
        {
            return;
        }

        string time = (timeMicroseconds / 1_000_000).ToString(CultureInfo.InvariantCulture) + "." + (timeMicroseconds % 1_000_000).ToString("d6", CultureInfo.InvariantCulture);
        _io.Send(string.Create(CultureInfo.InvariantCulture, $"report|{Protocol}|{time}|smtp-in|{name}|{session:x16}{rest}"));
        if (_io.Queued > MaxQueued)
        {
            Violation("does not read its input");
        }
    }

    private static string Timestamp()
    {
        long us = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;
        return (us / 1_000_000).ToString(CultureInfo.InvariantCulture) + "." + (us % 1_000_000).ToString("d6", CultureInfo.InvariantCulture);
    }

    private async Task ReadLoopAsync(LineSocket io, int generation)
    {
        while (generation == _generation)
        {
            var (line, tooLong) = await io.ReadLineAsync();
            if (generation != _generation)
            {
                return;
            }

            if (line is null)
            {
                if (tooLong)
                {
                    Violation($"line longer than {MaxLine} bytes");
                }
                else
                {
                    Log.Warn($"warn: filter \"{Name}\": process went away");
                    Detach("process went away");
                }

                return;
            }

            if (Log.Tracing(TraceFlags.Filters))
            {
                Log.Trace(TraceFlags.Filters, $"filters: {Name} >>> {line}");
            }

            string? error = Handle(line);
            if (error is not null)
            {
                Violation(error + ": " + (line.Length > 200 ? line[..200] + "..." : line));
                return;
            }
        }
    }

    /// <summary>One line from the filter; returns what was wrong with it, or null.</summary>
    internal string? Handle(string line)
    {
        if (line.StartsWith("register|", StringComparison.Ordinal))
        {
            return Register(line["register|".Length..]);
        }

        if (!_ready.Task.IsCompleted)
        {
            return "non-register message before register|ready";
        }

        if (line.StartsWith("filter-result|", StringComparison.Ordinal) || line.StartsWith("filter-dataline|", StringComparison.Ordinal))
        {
            return Response(line);
        }

        if (line.StartsWith("report|", StringComparison.Ordinal))
        {
            // Filter-initiated reports (7.6+) go nowhere here: there is nobody to forward them to.
            return null;
        }

        return "invalid filter message type";
    }

    private string? Register(string what)
    {
        if (_ready.Task.IsCompleted)
        {
            return "register after register|ready";
        }

        if (what == "ready")
        {
            Log.Debug($"debug: filter \"{Name}\": ready (protocol {Protocol}, phases {string.Join(',', _phases)}; reports {string.Join(',', _events)})");
            _knownPhases = new HashSet<string>(_phases, StringComparer.Ordinal);
            // The report events kept during the handshake go out before anything waiting for
            // the handshake may send a request: a session's link-connect precedes its connect.
            var early = _early.ToList();
            _early.Clear();
            _sendingEarlyReports = true;
            foreach (var (time, name, session, rest) in early)
            {
                SendReport(time, name, session, rest);
            }

            _sendingEarlyReports = false;
            _ready.TrySetResult(true);
            return null;
        }

        string[] parts = what.Split('|');
        if (parts.Length != 3 || parts[0] is not ("report" or "filter"))
        {
            return "invalid register line";
        }

        if (parts[1] != "smtp-in")
        {
            // smtp-out reports are accepted and never sent: this daemon reports only smtp-in.
            return parts[0] == "report" && parts[1] == "smtp-out" ? null : "invalid message direction";
        }

        if (parts[0] == "report")
        {
            if (parts[2] == "*")
            {
                _events.UnionWith(Events);
                return null;
            }

            if (Array.IndexOf(Events, parts[2]) < 0)
            {
                return "unrecognized report name";
            }

            _events.Add(parts[2]);
            return null;
        }

        if (Array.IndexOf(Phases, parts[2]) < 0)
        {
            return "unrecognized filter phase";
        }

        _phases.Add(parts[2]);
        return null;
    }

    private string? Response(string line)
    {
        bool dataLine = line.StartsWith("filter-dataline|", StringComparison.Ordinal);
        string rest = line[(line.IndexOf('|') + 1)..];
        string[] head = rest.Split('|', 3);
        if (head.Length < 3)
        {
            return "missing token";
        }

        if (!ulong.TryParse(head[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong session))
        {
            return "invalid session id";
        }

        if (!ulong.TryParse(head[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong token))
        {
            return "invalid token";
        }

        string response = head[2];
        if (dataLine)
        {
            if (!_dataSinks.TryGetValue((session, token), out var sink))
            {
                return Unsolicited();
            }

            _unsolicited = 0;
            sink(response);
            return null;
        }

        if (_dataSinks.ContainsKey((session, token)))
        {
            return "filter-result in dataline phase";
        }

        int bar = response.IndexOf('|');
        string verb = bar < 0 ? response : response[..bar];
        string? parameter = bar < 0 ? null : response[(bar + 1)..];
        FilterAnswer answer;
        switch (verb)
        {
            case "proceed" or "junk":
                if (parameter is not null && Legacy)
                {
                    return "parameter after " + verb;
                }

                answer = verb == "proceed" ? FilterAnswer.Proceed : new FilterAnswer(FilterAnswerKind.Junk);
                break;
            case "rewrite" or "reject" or "disconnect" or "report" when parameter is not null:
                if (verb == "report" && Legacy)
                {
                    return "invalid directive";
                }

                answer = new FilterAnswer(verb switch
                {
                    "rewrite" => FilterAnswerKind.Rewrite,
                    "reject" => FilterAnswerKind.Reject,
                    "disconnect" => FilterAnswerKind.Disconnect,
                    _ => FilterAnswerKind.Report,
                }, parameter);
                break;
            case "rewrite" or "reject" or "disconnect" or "report":
                return "missing parameter";
            default:
                return "invalid directive";
        }

        if (!_pending.Remove((session, token), out var pending))
        {
            return Unsolicited();
        }

        _unsolicited = 0;
        if (answer.Kind == FilterAnswerKind.Junk && pending.Phase == "commit")
        {
            // The message is written by then: too late to add the header (fatal in OpenSMTPD).
            pending.Waiter.TrySetResult(FilterAnswer.Failed("junk after the data"));
            return "junk at commit";
        }

        pending.Waiter.TrySetResult(answer);
        return null;
    }

    // Answers for sessions that are gone are normal (a session may end while its filter thinks);
    // an endless stream of them is not.
    private string? Unsolicited() => ++_unsolicited > MaxUnsolicited ? "too many answers nobody asked for" : null;

    private void Violation(string why)
    {
        Log.Warn($"warn: filter \"{Name}\": protocol violation: {why}; restarting it");
        _restart(Name, why);
        Detach(why);
    }

    /// <summary>Forgets the current process: every waiting session gets a failure.</summary>
    private void Detach(string? why)
    {
        _generation++;
        var io = _io;
        _io = null;
        io?.Dispose();
        if (io is null)
        {
            return;
        }

        // Sessions that come now wait for the restarted process (up to their deadline).
        var old = _ready;
        _ready = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        old.TrySetResult(false);

        foreach (var (waiter, _) in _pending.Values.ToList())
        {
            waiter.TrySetResult(FilterAnswer.Failed(why ?? "restarted"));
        }

        _pending.Clear();
        foreach (var sink in _dataSinks.Values.ToList())
        {
            sink(null);
        }

        _dataSinks.Clear();
    }

    private async Task LogStderrAsync(LineSocket err)
    {
        using (err)
        {
            while (true)
            {
                var (line, tooLong) = await err.ReadLineAsync();
                if (line is null)
                {
                    if (tooLong)
                    {
                        Log.Warn($"warn: filter \"{Name}\": stderr line too long, no longer read");
                    }

                    return;
                }

                Log.Warn($"{Name}: {line}");
            }
        }
    }
}
