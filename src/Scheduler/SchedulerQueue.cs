// The in-memory schedule: every envelope's next attempt, quadratic backoff as OpenSMTPD's ramqueue
// (creation + base * retry², base 10 s for local delivery and bounces, 400 s for relaying), expiry
// at creation + ttl, in-flight envelopes never handed out twice, and two in-flight limits: one for
// all envelopes together and one per recipient domain. Two heaps (by next attempt, by expiry)
// keep each wake-up proportional to what is due, not to the size of the queue; entries made stale
// by a reschedule are skipped when they surface. A due envelope whose domain is at its limit is
// parked in that domain's own heap and comes back, in due order, when the domain frees a slot.
// Pure: the clock is a parameter.
// Behaviour reference: usr.sbin/smtpd/scheduler_ramqueue.c, scheduler.c (max-inflight).
using Smtpd.Ipc.Messages;

namespace Smtpd.Scheduler;

internal sealed partial class SchedulerQueue
{
    public const long BackoffTransfer = 400;
    public const long BackoffDelivery = 10;

    /// <summary>OpenSMTPD's default for "scheduler limit max-inflight" (config.c).</summary>
    public const int DefaultMaxInFlight = 5000;

    private readonly Dictionary<ulong, ScheduledEnvelope> _all = [];
    private readonly Dictionary<string, DestDomain> _domains = new(StringComparer.OrdinalIgnoreCase);
    private readonly PriorityQueue<ScheduledEnvelope, (long At, ulong Id)> _byNext = new();
    private readonly PriorityQueue<ScheduledEnvelope, (long At, ulong Id)> _byExpire = new();

    // Domains that have a free slot and parked envelopes, by the key of their first parked
    // envelope. An entry whose key is not its domain's ReadyKey is stale; a ReadyKey that no longer
    // matches the first parked envelope (taken, removed) is corrected when it surfaces.
    private readonly PriorityQueue<DestDomain, (long At, ulong Id)> _ready = new();
    private int _inFlight;

    /// <summary>Limits as OpenSMTPD's default, with the per-domain share derived from it.</summary>
    public SchedulerQueue()
        : this(DefaultMaxInFlight)
    {
    }

    public SchedulerQueue(int maxInFlight)
        : this(maxInFlight, DomainShare(maxInFlight))
    {
    }

    public SchedulerQueue(int maxInFlight, int maxInFlightPerDomain)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlightPerDomain, 1);
        MaxInFlight = maxInFlight;
        MaxInFlightPerDomain = maxInFlightPerDomain;
    }

    /// <summary>At most this many envelopes handed out and not answered, all domains together.</summary>
    public int MaxInFlight { get; private set; }

    /// <summary>At most this many of them for one recipient domain.</summary>
    public int MaxInFlightPerDomain { get; private set; }

    /// <summary>
    /// New limits (smtpctl reload): attempts under way are not cut short; below a lowered limit,
    /// nothing more is handed out until enough of them have ended.
    /// </summary>
    public void SetLimits(int maxInFlight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        MaxInFlight = maxInFlight;
        MaxInFlightPerDomain = DomainShare(maxInFlight);
    }

    public int Count => _all.Count;

    public int InFlightCount => _inFlight;

    /// <summary>Domains with at least one envelope in the schedule.</summary>
    public int DomainCount => _domains.Count;

    /// <summary>
    /// The per-domain limit that goes with a global one: a tenth, so that one domain, however
    /// slow or large, leaves at least nine tenths of the slots to the others.
    /// </summary>
    public static int DomainShare(int maxInFlight) => Math.Max(1, maxInFlight / 10);

    public bool Contains(ulong evpid) => _all.ContainsKey(evpid);

    /// <summary>Every envelope known, in no particular order (queue listings).</summary>
    public IEnumerable<ScheduledEnvelope> All => _all.Values;

    public int InFlightFor(string domain) => _domains.TryGetValue(domain, out var d) ? d.InFlight : 0;

    /// <summary>Backoff time of attempt number <paramref name="retry"/> (scheduler_backoff).</summary>
    public static long Backoff(long creation, DeliveryKind kind, int retry) =>
        creation + (kind == DeliveryKind.Mta ? BackoffTransfer : BackoffDelivery) * retry * retry;

    /// <summary>A new or reloaded envelope for <paramref name="domain"/>. With no attempt yet it is due at once.</summary>
    public ScheduledEnvelope Insert(ulong evpid, DeliveryKind kind, long creation, long ttl, int retry, long now, string domain = "")
    {
        Remove(evpid);
        if (!_domains.TryGetValue(domain, out var d))
        {
            d = new DestDomain(domain);
            _domains[domain] = d;
        }

        d.Envelopes++;
        var e = new ScheduledEnvelope(evpid, kind, creation, ttl, retry, d);
        e.Next = retry == 0 ? now : Later(e, now);
        _all[evpid] = e;
        _byNext.Enqueue(e, (e.Next, evpid));
        _byExpire.Enqueue(e, (e.Expire, evpid));
        return e;
    }

    /// <summary>
    /// Envelopes due at <paramref name="now"/> (not expired, held or in flight), oldest first, marked
    /// in flight: as many as the global limit (and <paramref name="max"/>) allows, and for each
    /// domain as many as its limit allows. The others stay due for a later call.
    /// </summary>
    public List<ScheduledEnvelope> TakeDue(long now, int max = int.MaxValue)
    {
        var due = new List<ScheduledEnvelope>();
        int room = Math.Min(max, MaxInFlight - _inFlight);
        while (due.Count < room)
        {
            bool fromNext = PeekDue(now, out var next, out var nextKey);
            bool fromParked = PeekReady(now, out var domain, out var parkedKey);
            if (fromParked && (!fromNext || parkedKey.CompareTo(nextKey) < 0))
            {
                var parked = domain!.Parked!.Dequeue();
                if (!SetAsideIfPaused(parked))
                {
                    HandOut(parked, due);
                }

                continue;
            }

            if (!fromNext)
            {
                break;
            }

            _byNext.Dequeue();
            if (SetAsideIfPaused(next!))
            {
                continue;
            }

            var d = next!.Domain;
            if (d.InFlight >= MaxInFlightPerDomain)
            {
                Park(d, next, nextKey);
                continue;
            }

            HandOut(next, due);
        }

        return due;
    }

    /// <summary>Envelopes past their lifetime and not in flight: removed here, to be bounced by the caller.</summary>
    public List<ScheduledEnvelope> TakeExpired(long now)
    {
        var expired = new List<ScheduledEnvelope>();
        while (_byExpire.TryPeek(out var e, out var key) && key.At <= now)
        {
            _byExpire.Dequeue();
            if (!IsCurrent(e))
            {
                continue;
            }

            if (e.InFlight)
            {
                // Its attempt decides: a success or a bounce removes it, a temporary failure expires it.
                e.ExpiryPending = true;
                continue;
            }

            Forget(e);
            expired.Add(e);
        }

        expired.Sort((a, b) => a.EvpId.CompareTo(b.EvpId));
        return expired;
    }

    /// <summary>Delivered, bounced or removed: forget it, free its slot (its heap entries become stale).</summary>
    public bool Remove(ulong evpid)
    {
        if (!_all.TryGetValue(evpid, out var e))
        {
            return false;
        }

        if (e.InFlight)
        {
            Release(e);
        }

        Forget(e);
        return true;
    }

    /// <summary>A temporary failure: the slot is free, one more attempt counted, the next one pushed back.</summary>
    public void TempFail(ulong evpid, long now)
    {
        if (_all.TryGetValue(evpid, out var e))
        {
            if (e.InFlight)
            {
                Release(e);
            }

            if (e.ExpiryPending)
            {
                e.ExpiryPending = false;
                _byExpire.Enqueue(e, (e.Expire, e.EvpId));
            }

            e.Retry++;
            Reschedule(e, Later(e, now));
        }
    }

    /// <summary>`smtpctl schedule`: try again now, whatever the backoff says.</summary>
    public bool ScheduleNow(ulong evpid, long now)
    {
        // One being tried right now, or held, is left alone: rescheduling it would start a second attempt.
        if (!_all.TryGetValue(evpid, out var e) || e.InFlight || e.Held)
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

    /// <summary>
    /// When something next needs doing (an attempt or an expiry), or null when nothing waits. Meant
    /// to be asked after <see cref="TakeDue"/>: while every slot is taken, attempts wait for a
    /// result (the caller's news), and only expiries count.
    /// </summary>
    public long? NextWakeup()
    {
        long? next = null;
        if (_inFlight < MaxInFlight)
        {
            while (_byNext.TryPeek(out var e, out var key) && !IsWaiting(e, key.At))
            {
                _byNext.Dequeue();
            }

            if (_byNext.TryPeek(out _, out var n))
            {
                next = n.At;
            }

            // Only a freed slot since TakeDue puts a domain here; its envelopes are due already.
            if (_ready.TryPeek(out _, out var r))
            {
                next = next is null ? r.At : Math.Min(next.Value, r.At);
            }
        }

        while (_byExpire.TryPeek(out var e, out _) && !IsCurrent(e))
        {
            _byExpire.Dequeue();
        }

        if (_byExpire.TryPeek(out _, out var xk))
        {
            next = next is null ? xk.At : Math.Min(next.Value, xk.At);
        }

        return next;
    }

    private bool IsCurrent(ScheduledEnvelope e) => _all.TryGetValue(e.EvpId, out var current) && ReferenceEquals(current, e);

    /// <summary>Whether a heap entry (envelope, time) still stands for an envelope waiting for its attempt.</summary>
    private bool IsWaiting(ScheduledEnvelope e, long at) => IsCurrent(e) && !e.InFlight && !e.Held && e.Next == at;

    /// <summary>The first envelope of the attempt heap that can go now; stale, held and expired entries are dropped on the way.</summary>
    private bool PeekDue(long now, out ScheduledEnvelope? e, out (long At, ulong Id) key)
    {
        while (_byNext.TryPeek(out e, out key) && key.At <= now)
        {
            // Expired ones are TakeExpired's; held ones come back through Hold.
            if (IsWaiting(e, key.At) && e.Expire > now)
            {
                return true;
            }

            _byNext.Dequeue();
        }

        return false;
    }

    private void HandOut(ScheduledEnvelope e, List<ScheduledEnvelope> due)
    {
        e.InFlight = true;
        e.Domain.InFlight++;
        _inFlight++;
        due.Add(e);
    }

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
