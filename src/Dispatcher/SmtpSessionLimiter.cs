// How many smtp-in sessions the dispatcher holds: at most max-session in all (by default what
// the descriptor limit allows: two descriptors a session, the client and its message file, less
// a reserve), at most max-session-per-address from one client address. At the global limit,
// or when accept() ran out of descriptors, the listeners stop accepting: new clients wait in the
// kernel's backlog until a session ends, as OpenSMTPD's smtp_pause() leaves them. A client over
// its address's limit is told 421 and closed (Postfix's connection count limit).
// Behaviour reference: usr.sbin/smtpd/smtp.c (smtp_setup_events maxsessions, smtp_can_accept,
// smtp_accept, smtp_collect, SMTP_FD_RESERVE).
namespace Smtpd.Dispatcher;

internal sealed class SmtpSessionLimiter
{
    /// <summary>SMTP_FD_RESERVE: descriptors kept for everything else the dispatcher opens.</summary>
    public const int FdReserve = 5;

    /// <summary>Sessions one address may hold by default (Postfix's smtpd_client_connection_count_limit).</summary>
    public const int DefaultMaxPerAddress = 50;

    /// <summary>How long accepting stays paused after running out of descriptors with no session to end.</summary>
    public static readonly TimeSpan ExhaustionRetry = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, int> _perAddress = new(StringComparer.Ordinal);
    private readonly Action<string> _log;
    private TaskCompletionSource? _room;
    private bool _paused;
    private bool _exhausted;
    private readonly bool _limitLoopback;

    /// <param name="maxSessions">Sessions in all.</param>
    /// <param name="maxPerAddress">Sessions from one address: the configured limit, or null for
    /// the default, which leaves loopback clients alone (a local application sending many
    /// messages at once, as Postfix exempts $mynetworks); a configured one limits them too.</param>
    /// <param name="log">Where the pause and resume lines go.</param>
    public SmtpSessionLimiter(int maxSessions, int? maxPerAddress, Action<string> log)
    {
        MaxSessions = Math.Max(1, maxSessions);
        MaxPerAddress = Math.Max(1, maxPerAddress ?? DefaultMaxPerAddress);
        _limitLoopback = maxPerAddress is not null;
        _log = log;
    }

    public int MaxSessions { get; }

    public int MaxPerAddress { get; }

    public int Active { get; private set; }

    /// <summary>
    /// As OpenSMTPD's maxsessions: half the descriptors still free (a session holds two) less
    /// the reserve, never below one; a configured limit only lowers it.
    /// </summary>
    public static int Derive(ulong fdLimit, int openFds, int? configured)
    {
        long free = (long)Math.Min(fdLimit, int.MaxValue) - openFds;
        int fromFds = (int)Math.Max(1, (free / 2) - FdReserve);
        return configured is int c ? Math.Min(c, fromFds) : fromFds;
    }

    /// <summary>Completes when a new client may be accepted (below the limit, descriptors not exhausted).</summary>
    public Task WaitForRoomAsync()
    {
        if (Active < MaxSessions && !_exhausted)
        {
            return Task.CompletedTask;
        }

        if (!_paused)
        {
            _paused = true;
            if (!_exhausted)
            {
                _log($"warn: Disabling incoming SMTP connections: Client limit reached ({MaxSessions} sessions)");
            }
        }

        _room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _room.Task;
    }

    /// <summary>
    /// accept() failed for want of descriptors (EMFILE, ENFILE): stop accepting until a session
    /// ends or <see cref="ExhaustionRetry"/> has passed, whichever comes first.
    /// </summary>
    public void Exhausted(string error)
    {
        if (!_exhausted)
        {
            _log($"warn: Disabling incoming SMTP connections: {error}");
        }

        _exhausted = true;
        _paused = true;
    }

    /// <summary>The retry timer ran out while descriptors were exhausted: try accepting again.</summary>
    public void RetryAfterExhaustion()
    {
        if (_exhausted)
        {
            _exhausted = false;
            Resume();
        }
    }

    /// <summary>A client was accepted: counts it, or returns false when its address holds its limit already.</summary>
    public bool TryAdmit(string address)
    {
        int n = _perAddress.GetValueOrDefault(address);
        if (n >= MaxPerAddress && address != "local" && (_limitLoopback || !IsLoopback(address)))
        {
            return false;
        }

        _perAddress[address] = n + 1;
        Active++;
        return true;
    }

    /// <summary>A session admitted by <see cref="TryAdmit"/> ended.</summary>
    public void Release(string address)
    {
        Active--;
        if (_perAddress.TryGetValue(address, out int n))
        {
            if (n <= 1)
            {
                _perAddress.Remove(address);
            }
            else
            {
                _perAddress[address] = n - 1;
            }
        }

        _exhausted = false;
        if (Active < MaxSessions)
        {
            Resume();
        }
    }

    private static bool IsLoopback(string address) =>
        System.Net.IPAddress.TryParse(address.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip);

    private void Resume()
    {
        if (_paused && !_exhausted && Active < MaxSessions)
        {
            _paused = false;
            _log("warn: smtp: fd exhaustion over, re-enabling incoming connections");
        }

        if (!_exhausted && Active < MaxSessions && _room is { } room)
        {
            _room = null;
            room.SetResult();
        }
    }
}
