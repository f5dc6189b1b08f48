// The in-memory schedule: every envelope's next attempt, quadratic backoff as OpenSMTPD's ramqueue
// (creation + base * retry², base 10 s for local delivery and bounces, 400 s for relaying), expiry
// at creation + ttl, in-flight envelopes never handed out twice. Two heaps (by next attempt, by
// expiry) keep each wake-up proportional to what is due, not to the size of the queue; entries
// made stale by a reschedule are skipped when they surface. Pure: the clock is a parameter.
// Behaviour reference: usr.sbin/smtpd/scheduler_ramqueue.c.
namespace Smtpd.Scheduler;

internal sealed class SchedulerQueue
{
    public const long BackoffTransfer = 400;
    public const long BackoffDelivery = 10;

    private readonly Dictionary<ulong, ScheduledEnvelope> _all = [];
    private readonly PriorityQueue<ScheduledEnvelope, (long At, ulong Id)> _byNext = new();
    private readonly PriorityQueue<ScheduledEnvelope, (long At, ulong Id)> _byExpire = new();
    private int _inFlight;

    public int Count => _all.Count;

    public int InFlightCount => _inFlight;

    public bool Contains(ulong evpid) => _all.ContainsKey(evpid);

    /// <summary>Backoff time of attempt number <paramref name="retry"/> (scheduler_backoff).</summary>
    public static long Backoff(long creation, DeliveryKind kind, int retry) =>
        creation + (kind == DeliveryKind.Mta ? BackoffTransfer : BackoffDelivery) * retry * retry;

    /// <summary>A new or reloaded envelope. With no attempt yet it is due at once.</summary>
    public ScheduledEnvelope Insert(ulong evpid, DeliveryKind kind, long creation, long ttl, int retry, long now)
    {
        Remove(evpid);
        var e = new ScheduledEnvelope(evpid, kind, creation, ttl, retry);
        e.Next = retry == 0 ? now : Later(e, now);
        _all[evpid] = e;
        _byNext.Enqueue(e, (e.Next, evpid));
        _byExpire.Enqueue(e, (e.Expire, evpid));
        return e;
    }

    /// <summary>Envelopes due at <paramref name="now"/> (not expired, held or in flight), oldest first, marked in flight.</summary>
    public List<ScheduledEnvelope> TakeDue(long now, int max = int.MaxValue)
    {
        var due = new List<ScheduledEnvelope>();
        var held = new List<ScheduledEnvelope>();
        while (due.Count < max && _byNext.TryPeek(out var e, out var key) && key.At <= now)
        {
            _byNext.Dequeue();
            if (!IsCurrent(e) || e.InFlight || e.Next != key.At)
            {
                continue;
            }

            if (e.Held || e.Expire <= now)
            {
                // Held ones wait for release; expired ones are for TakeExpired.
                held.Add(e);
                continue;
            }

            e.InFlight = true;
            _inFlight++;
            due.Add(e);
        }

        foreach (var e in held)
        {
            _byNext.Enqueue(e, (e.Next, e.EvpId));
        }

        return due;
    }

    /// <summary>Envelopes past their lifetime and not in flight: removed here, to be bounced by the caller.</summary>
    public List<ScheduledEnvelope> TakeExpired(long now)
    {
        var expired = new List<ScheduledEnvelope>();
        var busy = new List<ScheduledEnvelope>();
        while (_byExpire.TryPeek(out var e, out var key) && key.At <= now)
        {
            _byExpire.Dequeue();
            if (!IsCurrent(e))
            {
                continue;
            }

            if (e.InFlight)
            {
                busy.Add(e);
                continue;
            }

            _all.Remove(e.EvpId);
            expired.Add(e);
        }

        foreach (var e in busy)
        {
            _byExpire.Enqueue(e, (e.Expire, e.EvpId));
        }

        expired.Sort((a, b) => a.EvpId.CompareTo(b.EvpId));
        return expired;
    }

    /// <summary>Delivered, bounced or removed: forget it (its heap entries become stale).</summary>
    public bool Remove(ulong evpid)
    {
        if (!_all.Remove(evpid, out var e))
        {
            return false;
        }

        if (e.InFlight)
        {
            _inFlight--;
        }

        return true;
    }

    /// <summary>A temporary failure: one more attempt counted, the next one pushed back.</summary>
    public void TempFail(ulong evpid, long now)
    {
        if (_all.TryGetValue(evpid, out var e))
        {
            if (e.InFlight)
            {
                e.InFlight = false;
                _inFlight--;
            }

            e.Retry++;
            Reschedule(e, Later(e, now));
        }
    }

    /// <summary>`smtpctl schedule`: try again now, whatever the backoff says.</summary>
    public bool ScheduleNow(ulong evpid, long now)
    {
        if (!_all.TryGetValue(evpid, out var e))
        {
            return false;
        }

        Reschedule(e, now);
        return true;
    }

    public void Hold(ulong evpid, bool held)
    {
        if (_all.TryGetValue(evpid, out var e))
        {
            e.Held = held;
            if (!held)
            {
                _byNext.Enqueue(e, (e.Next, e.EvpId));
            }
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

    /// <summary>When something next needs doing (an attempt or an expiry), or null when nothing waits.</summary>
    public long? NextWakeup()
    {
        long? next = null;
        while (_byNext.TryPeek(out var e, out var key) && (!IsCurrent(e) || e.InFlight || e.Held || e.Next != key.At))
        {
            _byNext.Dequeue();
        }

        if (_byNext.TryPeek(out _, out var n))
        {
            next = n.At;
        }

        while (_byExpire.TryPeek(out var e, out _) && !IsCurrent(e))
        {
            _byExpire.Dequeue();
        }

        if (_byExpire.TryPeek(out var x, out var xk) && !x.InFlight)
        {
            next = next is null ? xk.At : Math.Min(next.Value, xk.At);
        }

        return next;
    }

    private bool IsCurrent(ScheduledEnvelope e) => _all.TryGetValue(e.EvpId, out var current) && ReferenceEquals(current, e);

    private void Reschedule(ScheduledEnvelope e, long next)
    {
        e.Next = next;
        _byNext.Enqueue(e, (next, e.EvpId));
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
