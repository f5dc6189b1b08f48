// The in-memory schedule: every envelope's next attempt, quadratic backoff as OpenSMTPD's ramqueue
// (creation + base * retry², base 10 s for local delivery and bounces, 400 s for relaying), expiry
// at creation + ttl, in-flight envelopes never handed out twice. Pure: the clock is a parameter.
// Behaviour reference: usr.sbin/smtpd/scheduler_ramqueue.c.
namespace Smtpd.Scheduler;

internal sealed class SchedulerQueue
{
    public const long BackoffTransfer = 400;
    public const long BackoffDelivery = 10;

    private readonly Dictionary<ulong, ScheduledEnvelope> _all = [];

    public int Count => _all.Count;

    public int InFlightCount => _all.Values.Count(e => e.InFlight);

    public bool Contains(ulong evpid) => _all.ContainsKey(evpid);

    /// <summary>Backoff time of attempt number <paramref name="retry"/> (scheduler_backoff).</summary>
    public static long Backoff(long creation, DeliveryKind kind, int retry) =>
        creation + (kind == DeliveryKind.Mta ? BackoffTransfer : BackoffDelivery) * retry * retry;

    /// <summary>A new or reloaded envelope. With no attempt yet it is due at once.</summary>
    public ScheduledEnvelope Insert(ulong evpid, DeliveryKind kind, long creation, long ttl, int retry, long now)
    {
        var e = new ScheduledEnvelope(evpid, kind, creation, ttl, retry);
        e.Next = retry == 0 ? now : Later(e, now);
        _all[evpid] = e;
        return e;
    }

    /// <summary>Envelopes due at <paramref name="now"/> (not expired, held or in flight), oldest first, marked in flight.</summary>
    public List<ScheduledEnvelope> TakeDue(long now, int max = int.MaxValue)
    {
        var due = _all.Values
            .Where(e => !e.InFlight && !e.Held && e.Next <= now && e.Expire > now)
            .OrderBy(e => e.Next)
            .ThenBy(e => e.EvpId)
            .Take(max)
            .ToList();
        foreach (var e in due)
        {
            e.InFlight = true;
        }

        return due;
    }

    /// <summary>Envelopes past their lifetime and not in flight: removed here, to be bounced by the caller.</summary>
    public List<ScheduledEnvelope> TakeExpired(long now)
    {
        var expired = _all.Values.Where(e => !e.InFlight && e.Expire <= now).OrderBy(e => e.EvpId).ToList();
        foreach (var e in expired)
        {
            _all.Remove(e.EvpId);
        }

        return expired;
    }

    /// <summary>Delivered, bounced or removed: forget it.</summary>
    public bool Remove(ulong evpid) => _all.Remove(evpid);

    /// <summary>A temporary failure: one more attempt counted, the next one pushed back.</summary>
    public void TempFail(ulong evpid, long now)
    {
        if (_all.TryGetValue(evpid, out var e))
        {
            e.InFlight = false;
            e.Retry++;
            e.Next = Later(e, now);
        }
    }

    /// <summary>
    /// After a temporary failure: the first warning interval the next attempt reaches that was not
    /// warned about yet — (point in time, interval) — or null. As OpenSMTPD: a warning is sent
    /// when the retry will come after creation + interval.
    /// </summary>
    public (long Timestamp, long Delay)? DueWarning(ulong evpid, IReadOnlyList<long> intervals)
    {
        if (!_all.TryGetValue(evpid, out var e))
        {
            return null;
        }

        foreach (long interval in intervals)
        {
            long t = e.Creation + interval;
            if (e.Next >= t && e.LastBounce < t)
            {
                e.LastBounce = t;
                return (t, interval);
            }
        }

        return null;
    }

    /// <summary>`smtpctl schedule`: try again now, whatever the backoff says.</summary>
    public bool ScheduleNow(ulong evpid, long now)
    {
        if (!_all.TryGetValue(evpid, out var e))
        {
            return false;
        }

        e.Next = now;
        return true;
    }

    public void Hold(ulong evpid, bool held)
    {
        if (_all.TryGetValue(evpid, out var e))
        {
            e.Held = held;
        }
    }

    /// <summary>When something next needs doing (an attempt or an expiry), or null when nothing waits.</summary>
    public long? NextWakeup()
    {
        long? next = null;
        foreach (var e in _all.Values)
        {
            if (e.InFlight)
            {
                continue;
            }

            long t = e.Held ? e.Expire : Math.Min(e.Next, e.Expire);
            next = next is null ? t : Math.Min(next.Value, t);
        }

        return next;
    }

    /// <summary>scheduler_next: the first backoff point strictly after now.</summary>
    private static long Later(ScheduledEnvelope e, long now)
    {
        int step = Math.Max(e.Retry, 1);
        long t;
        while ((t = Backoff(e.Creation, e.Kind, step)) <= now)
        {
            step++;
        }

        return t;
    }
}
