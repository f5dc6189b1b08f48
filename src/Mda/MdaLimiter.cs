// How many local deliveries run at once: at most `mda limit max-session` in all (50 by
// default) and `max-session-per-user` for one user (7), the rest wait in arrival order. Each
// running delivery is a process, so this keeps a burst of mail from becoming a burst of
// hundreds of processes.
// Behaviour reference: usr.sbin/smtpd/mda.c mda_drain(), config.c (sc_mda_max_session).
namespace Smtpd.Mda;

internal static class MdaLimiter
{
    public const int DefaultMaxSessions = 50;
    public const int DefaultMaxPerUser = 7;
}

internal sealed class MdaLimiter<T>
{
    private readonly int _maxSessions;
    private readonly int _maxPerUser;
    private readonly List<(string User, T Item)> _waiting = [];
    private readonly Dictionary<string, int> _perUser = new(StringComparer.Ordinal);
    private int _running;

    public MdaLimiter(int maxSessions = MdaLimiter.DefaultMaxSessions, int maxPerUser = MdaLimiter.DefaultMaxPerUser)
    {
        _maxSessions = maxSessions;
        _maxPerUser = maxPerUser;
    }

    public int Running => _running;

    public int Waiting => _waiting.Count;

    /// <summary>A delivery to run: returns what may start now (it, or nothing while limits are reached).</summary>
    public List<T> Add(string user, T item)
    {
        _waiting.Add((user, item));
        return Drain();
    }

    /// <summary>A delivery for <paramref name="user"/> ended: returns what may start in its place.</summary>
    public List<T> Done(string user)
    {
        _running--;
        if (_perUser.TryGetValue(user, out int n))
        {
            if (n <= 1)
            {
                _perUser.Remove(user);
            }
            else
            {
                _perUser[user] = n - 1;
            }
        }

        return Drain();
    }

    private List<T> Drain()
    {
        var start = new List<T>();
        for (int i = 0; i < _waiting.Count && _running < _maxSessions;)
        {
            var (user, item) = _waiting[i];
            int n = _perUser.GetValueOrDefault(user);
            if (n >= _maxPerUser)
            {
                i++;
                continue;
            }

            _waiting.RemoveAt(i);
            _perUser[user] = n + 1;
            _running++;
            start.Add(item);
        }

        return start;
    }
}
