// The lookup agent's filter engine: the filter processes, each filtered session's chain, the
// phases run through it (builtin checks here, filter processes by request), report events
// fanned out to the processes of the session's chain that registered them, and message lines.
// A filter process that cannot answer (not started yet, restarting, too slow, broken) costs the
// waiting session a temporary failure, never the daemon; a process that registered no filter
// phase (it only reads reports) never holds a session up.
// Behaviour reference: usr.sbin/smtpd/lka_filter.c (lka_filter_init, lka_filter_begin/end,
// filter_protocol_internal, lka_filter_data_begin, report_smtp_broadcast), lka_proc.c.
using Smtpd.Config;
using Smtpd.Interop;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;
using Smtpd.Smtp;
using Smtpd.Tables;

namespace Smtpd.Lka;

internal sealed class LkaFilters
{
    /// <summary>How long a filter process may take to answer one request, unless its "timeout" says otherwise.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    private static readonly string[] PhaseNames =
        ["connect", "helo", "ehlo", "starttls", "auth", "mail-from", "rcpt-to", "data", "data-line", "rset", "quit", "noop", "help", "wiz", "commit"];

    private readonly SmtpdConfig _config;
    private readonly TableSet _tables;
    private readonly Dictionary<string, FilterProc> _procs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TimeSpan> _timeouts = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, FilterSession> _sessions = [];
    private readonly Dictionary<string, DkimSigningStage> _signers = new(StringComparer.Ordinal);

    public LkaFilters(SmtpdConfig config, TableSet tables, string hostname, Action<string, string> restart, IReadOnlyDictionary<string, DkimSigningStage> signers)
    {
        _config = config;
        _tables = tables;
        foreach (var (name, signer) in signers)
        {
            _signers[name] = signer;
        }

        foreach (var p in config.Procs)
        {
            _procs[p.Name] = new FilterProc(p.Name, p.Protocol ?? "0.7", hostname, restart);
            _timeouts[p.Name] = p.Timeout is int t ? TimeSpan.FromSeconds(t) : DefaultTimeout;
        }

        foreach (var f in config.Filters.Where(f => f.Kind == FilterKind.ProcExec))
        {
            _procs[f.Name] = new FilterProc(f.Name, f.Protocol ?? "0.7", hostname, restart);
            _timeouts[f.Name] = f.Timeout is int t ? TimeSpan.FromSeconds(t) : DefaultTimeout;
        }
    }

    /// <summary>The parent started (or restarted) a filter process.</summary>
    public void ProcStarted(string name, SafeFd? fd, bool stderr)
    {
        if (fd is null || !_procs.TryGetValue(name, out var proc))
        {
            fd?.Dispose();
            Log.Warn($"warn: lka: socket for unknown filter process \"{name}\"");
            return;
        }

        if (stderr)
        {
            proc.AttachStderr(fd);
        }
        else
        {
            proc.Attach(fd);
        }
    }

    public void Begin(FilterBegin b)
    {
        var session = new FilterSession(b.SessionId, ChainOf(b.ListenerIndex))
        {
            Rdns = b.Rdns,
            Fcrdns = b.Fcrdns,
            Source = b.Source.Trim('[', ']'),
        };
        _sessions[b.SessionId] = session;
        Log.Trace(TraceFlags.Filters, $"{b.SessionId:x16} filters session-begin");
    }

    /// <summary>Whether the named filter process finished its handshake.</summary>
    internal bool ProcReady(string name) => _procs.TryGetValue(name, out var p) && p.IsReady;

    /// <summary>A session begun with <see cref="Begin"/>, or null.</summary>
    internal FilterSession? Session(ulong id) => _sessions.GetValueOrDefault(id);

    public void End(ulong sessionId)
    {
        if (_sessions.Remove(sessionId, out var s))
        {
            s.Data?.End();
            Log.Trace(TraceFlags.Filters, $"{sessionId:x16} filters session-end");
        }
    }

    public async Task QueryAsync(ImsgChannel dispatcher, FilterQuery q)
    {
        var answer = _sessions.TryGetValue(q.SessionId, out var s) && q.Phase < PhaseNames.Length
            ? await RunPhaseAsync(s, (SmtpFilterPhase)q.Phase, q.Parameter)
            : FilterAnswer.Proceed;
        var (decision, parameter) = answer.Kind switch
        {
            FilterAnswerKind.Junk => (SmtpFilterDecision.Junk, string.Empty),
            FilterAnswerKind.Rewrite => (SmtpFilterDecision.Rewrite, answer.Parameter),
            FilterAnswerKind.Reject => (SmtpFilterDecision.Reject, answer.Parameter),
            FilterAnswerKind.Disconnect => (SmtpFilterDecision.Disconnect, answer.Parameter),
            _ => (SmtpFilterDecision.Proceed, string.Empty),
        };
        dispatcher.Post(new FilterQueryReply(q.ReqId, (byte)decision, parameter));
    }

    public void Report(FilterReport r)
    {
        if (!_sessions.TryGetValue(r.SessionId, out var s))
        {
            return;
        }

        if (r.Event == "link-auth" && r.Fields is ["pass", var user])
        {
            s.Username = user;
        }

        Broadcast(s, r.TimeMicroseconds, r.Event, r.Fields);
    }

    public async Task DataBeginAsync(ImsgChannel dispatcher, FilterDataBegin d)
    {
        var stages = new List<(IDataLineStage Stage, ulong Token)>();
        TimeSpan timeout = DefaultTimeout;
        FilterProc? unavailable = null;
        if (_sessions.TryGetValue(d.SessionId, out var s))
        {
            foreach (var filter in s.Chain)
            {
                if (filter.Kind == FilterKind.DkimSign)
                {
                    stages.Add((_signers[filter.Name], NewToken()));
                    continue;
                }

                if (filter.Kind is not (FilterKind.Proc or FilterKind.ProcExec))
                {
                    continue;
                }

                var proc = _procs[ProcName(filter)];
                if (proc.ReportOnly || stages.Any(x => x.Stage == proc))
                {
                    continue;
                }

                if (!await proc.WaitReadyAsync(_timeouts[proc.Name]))
                {
                    unavailable = proc;
                    break;
                }

                if (proc.Registered("data-line"))
                {
                    stages.Add((proc, NewToken()));
                    timeout = _timeouts[proc.Name] > timeout ? _timeouts[proc.Name] : timeout;
                }
            }
        }

        if (s is null || (stages.Count == 0 && unavailable is null))
        {
            dispatcher.Post(new FilterDataBeginReply(d.ReqId, false));
            return;
        }

        var (mine, theirs) = Posix.SocketPair();
        dispatcher.Post(new FilterDataBeginReply(d.ReqId, true), fd: theirs);
        var socket = new LineSocket(mine, FilterProc.MaxLine);
        if (unavailable is not null)
        {
            // It cannot take the message now; the dispatcher sees the socket close at once.
            Log.Warn($"warn: {s.Id:x16} filters: message filter \"{unavailable.Name}\" not available; the message is refused for now");
            socket.Dispose();
            return;
        }

        var data = new FilterDataSession(s.Id, [.. stages], socket, timeout);
        s.Data = data;
        await data.RunAsync();
        if (s.Data == data)
        {
            s.Data = null;
        }
    }

    internal async Task<FilterAnswer> RunPhaseAsync(FilterSession s, SmtpFilterPhase phase, string parameter)
    {
        string phaseName = PhaseNames[(int)phase];
        switch (phase)
        {
            case SmtpFilterPhase.Helo or SmtpFilterPhase.Ehlo:
                s.Helo = parameter;
                break;
            case SmtpFilterPhase.MailFrom:
                s.MailFrom = AngleAddress(parameter);
                parameter = s.MailFrom;
                break;
            case SmtpFilterPhase.RcptTo:
                parameter = AngleAddress(parameter);
                break;
            case SmtpFilterPhase.Connect:
                parameter = s.Rdns + "|" + (s.Source.Contains(':') ? "[" + s.Source + "]" : s.Source);
                break;
        }

        foreach (var filter in s.Chain)
        {
            if (filter.Kind == FilterKind.Phase)
            {
                if (!BuiltinPhase(filter.Phase, phase))
                {
                    continue;
                }

                var verdict = FilterBuiltins.Evaluate(filter.Check!, s, parameter, _tables.Resolve);
                if (verdict == MatchResult.TempFail)
                {
                    return FilterAnswer.Failed($"builtin filter {filter.Name}: table lookup failed");
                }

                if (verdict != MatchResult.Match)
                {
                    continue;
                }

                Log.Trace(TraceFlags.Filters, $"{s.Id:x16} filters protocol phase={phaseName}, action={filter.Decision.ToString().ToLowerInvariant()}, filter={filter.Name}, query={parameter}");
                switch (filter.Decision)
                {
                    case FilterDecision.Bypass:
                        return FilterAnswer.Proceed;
                    case FilterDecision.Junk:
                        return new FilterAnswer(FilterAnswerKind.Junk);
                    case FilterDecision.Rewrite:
                        return new FilterAnswer(FilterAnswerKind.Rewrite, filter.DecisionArgument!);
                    case FilterDecision.Reject:
                        return new FilterAnswer(FilterAnswerKind.Reject, filter.DecisionArgument!);
                    case FilterDecision.Disconnect:
                        return new FilterAnswer(FilterAnswerKind.Disconnect, filter.DecisionArgument!);
                    default:
                        Broadcast(s, Now(), "filter-report", ["builtin", filter.Name, filter.DecisionArgument!]);
                        continue;
                }
            }

            if (filter.Kind == FilterKind.DkimSign)
            {
                continue;
            }

            string name = ProcName(filter);
            var proc = _procs[name];
            if (proc.ReportOnly)
            {
                continue;
            }

            var answer = await proc.WaitReadyAsync(_timeouts[name])
                ? proc.Registered(phaseName) ? await proc.QueryAsync(s.Id, NewToken(), phaseName, parameter, _timeouts[name]) : FilterAnswer.Proceed
                : FilterAnswer.Failed("not running");
            switch (answer.Kind)
            {
                case FilterAnswerKind.Proceed:
                    continue;
                case FilterAnswerKind.Report:
                    Broadcast(s, Now(), "filter-report", ["proc", filter.Name, answer.Parameter]);
                    continue;
                case FilterAnswerKind.Failed:
                    Log.Warn($"warn: {s.Id:x16} filters: filter \"{filter.Name}\" could not answer {phaseName} ({answer.Parameter}); temporary failure");
                    return phase == SmtpFilterPhase.Connect
                        ? new FilterAnswer(FilterAnswerKind.Disconnect, "421 4.3.0 Temporary failure: filter unavailable, try again later")
                        : new FilterAnswer(FilterAnswerKind.Reject, "451 4.3.0 Temporary failure: filter unavailable, try again later");
                default:
                    return answer;
            }
        }

        return FilterAnswer.Proceed;
    }

    /// <summary>Sends a report event to each process of the session's chain that registered it.</summary>
    private void Broadcast(FilterSession s, long time, string name, string[] fields)
    {
        foreach (var procName in ProcsOf(s))
        {
            var proc = _procs[procName];
            var ordered = proc.Legacy && name == "link-auth" && fields.Length == 2 ? [fields[1], fields[0]] : fields;
            proc.SendReport(time, name, s.Id, ordered.Length == 0 ? string.Empty : "|" + string.Join('|', ordered));
        }
    }

    // The distinct processes of the session's chain, in chain order.
    private static IEnumerable<string> ProcsOf(FilterSession s) =>
        s.Chain.Where(f => f.Kind is FilterKind.Proc or FilterKind.ProcExec).Select(ProcName).Distinct(StringComparer.Ordinal);

    private static string ProcName(FilterDef f) => f.Kind == FilterKind.Proc ? f.Proc! : f.Name;

    private static bool BuiltinPhase(FilterPhase configured, SmtpFilterPhase phase) => (configured, phase) switch
    {
        (FilterPhase.Connect, SmtpFilterPhase.Connect) => true,
        (FilterPhase.Helo, SmtpFilterPhase.Helo) => true,
        (FilterPhase.Ehlo, SmtpFilterPhase.Ehlo) => true,
        (FilterPhase.Auth, SmtpFilterPhase.Auth) => true,
        (FilterPhase.MailFrom, SmtpFilterPhase.MailFrom) => true,
        (FilterPhase.RcptTo, SmtpFilterPhase.RcptTo) => true,
        (FilterPhase.Data, SmtpFilterPhase.Data) => true,
        (FilterPhase.Commit, SmtpFilterPhase.Commit) => true,
        _ => false,
    };

    /// <summary>The filters of a listener, in order: its chain's members or its one filter.</summary>
    private List<FilterDef> ChainOf(int listenerIndex)
    {
        var l = listenerIndex >= 0 && listenerIndex < _config.Listeners.Count
            ? _config.Listeners[listenerIndex]
            : _config.Listeners.LastOrDefault(x => x.IsSocket);
        if (l is null)
        {
            return [];
        }

        IEnumerable<string> names = l.FilterChain.Count > 0 ? l.FilterChain : l.Filter is { } one ? [one] : [];
        var result = new List<FilterDef>();
        foreach (var name in names)
        {
            var f = _config.Filters.FirstOrDefault(x => x.Name == name);
            if (f is null)
            {
                continue;
            }

            if (f.Kind == FilterKind.Chain)
            {
                result.AddRange(f.Chain.Select(m => _config.Filters.First(x => x.Name == m)));
            }
            else
            {
                result.Add(f);
            }
        }

        return result;
    }

    private static string AngleAddress(string parameter)
    {
        int open = parameter.IndexOf('<');
        int close = open < 0 ? -1 : parameter.IndexOf('>', open);
        return close < 0 ? parameter : parameter[(open + 1)..close];
    }

    private static ulong NewToken() => (ulong)Random.Shared.NextInt64(1, long.MaxValue);

    private static long Now() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;
}
