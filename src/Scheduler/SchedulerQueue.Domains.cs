// The in-flight limit per recipient domain: due envelopes of a domain at its limit are parked in
// the domain's own heap, and a domain that frees a slot is listed so that TakeDue takes its parked
// envelopes back, merged in due order with the main heap.
namespace Smtpd.Scheduler;

internal sealed partial class SchedulerQueue
{
    /// <summary>The domain with a free slot whose first parked envelope is the oldest, or false when none.</summary>
    private bool PeekReady(long now, out DestDomain? d, out (long At, ulong Id) key)
    {
        while (_ready.TryPeek(out d, out var stored))
        {
            if (!d.Ready || stored != d.ReadyKey)
            {
                _ready.Dequeue();
                continue;
            }

            if (d.InFlight >= MaxInFlightPerDomain || !PeekParked(d, now, out key))
            {
                // Full again (it is put back when a slot frees) or nothing left to send.
                _ready.Dequeue();
                d.Ready = false;
                continue;
            }

            if (key != stored)
            {
                d.ReadyKey = key;
                _ready.DequeueEnqueue(d, key);
                continue;
            }

            return true;
        }

        key = default;
        return false;
    }

    private bool PeekParked(DestDomain d, long now, out (long At, ulong Id) key)
    {
        var parked = d.Parked;
        while (parked is not null && parked.TryPeek(out var e, out key))
        {
            if (IsWaiting(e, key.At) && e.Expire > now)
            {
                return true;
            }

            parked.Dequeue();
        }

        d.Parked = null;
        key = default;
        return false;
    }

    /// <summary>Sets a due envelope aside until its domain has a free slot.</summary>
    private void Park(DestDomain d, ScheduledEnvelope e, (long At, ulong Id) key)
    {
        (d.Parked ??= new()).Enqueue(e, key);
        if (d.Ready && key.CompareTo(d.ReadyKey) < 0)
        {
            // Older than what the domain is listed under: list it again, so order holds across domains.
            d.ReadyKey = key;
            _ready.Enqueue(d, key);
        }
    }

    /// <summary>An attempt ended: its slots are free, and its domain's parked envelopes may use one.</summary>
    private void Release(ScheduledEnvelope e)
    {
        e.InFlight = false;
        _inFlight--;
        var d = e.Domain;
        d.InFlight--;
        if (!d.Ready && d.Parked is not null && d.Parked.TryPeek(out _, out var key))
        {
            d.Ready = true;
            d.ReadyKey = key;
            _ready.Enqueue(d, key);
        }
    }

    private void Forget(ScheduledEnvelope e)
    {
        _all.Remove(e.EvpId);
        var d = e.Domain;
        if (--d.Envelopes == 0)
        {
            // Whatever is still parked there is stale; a later envelope starts a fresh domain.
            d.Parked = null;
            _domains.Remove(d.Name);
        }
    }
}
