// What smtpctl changes in the schedule: whole kinds of delivery paused (pause mda|mta), single
// envelopes suspended, resumed, scheduled now or removed. A due envelope of a paused kind is set
// aside, not handed out, and goes back to the attempt heap when its kind resumes.
// Behaviour reference: usr.sbin/smtpd/scheduler_ramqueue.c (rq_envelope_suspend, _resume,
// _schedule, _remove), scheduler.c (SMTPD_MDA_PAUSED, SMTPD_MTA_PAUSED).
using Smtpd.Ipc.Messages;

namespace Smtpd.Scheduler;

internal sealed partial class SchedulerQueue
{
    private readonly HashSet<DeliveryKind> _pausedKinds = [];
    private readonly List<ScheduledEnvelope> _setAside = [];

    public bool IsPaused(DeliveryKind kind) => _pausedKinds.Contains(kind);

    public void Pause(DeliveryKind kind) => _pausedKinds.Add(kind);

    /// <summary>The kind runs again: what was set aside is due again at its own time.</summary>
    public void Resume(DeliveryKind kind)
    {
        _pausedKinds.Remove(kind);
        foreach (var e in _setAside.Where(e => e.Kind == kind).ToList())
        {
            _setAside.Remove(e);
            if (IsCurrent(e) && !e.InFlight)
            {
                _byNext.Enqueue(e, (e.Next, e.EvpId));
            }
        }
    }

    /// <summary>The envelopes an smtpctl id names: one envelope, every envelope of a message (id of 32 bits), or all (0).</summary>
    public List<ulong> Select(ulong id)
    {
        IEnumerable<ulong> ids = id switch
        {
            0 => _all.Keys,
            <= 0xffffffff => _all.Keys.Where(e => (e >> 32) == id),
            _ => _all.ContainsKey(id) ? [id] : [],
        };
        return [.. ids.Order()];
    }

    /// <summary>pause envelope: false when already suspended.</summary>
    public bool Suspend(ulong evpid)
    {
        if (!_all.TryGetValue(evpid, out var e) || e.Held)
        {
            return false;
        }

        e.Held = true;
        return true;
    }

    /// <summary>resume envelope: false when not suspended.</summary>
    public bool Unsuspend(ulong evpid)
    {
        if (!_all.TryGetValue(evpid, out var e) || !e.Held)
        {
            return false;
        }

        Hold(evpid, false);
        return true;
    }

    /// <summary>schedule: try now; not for suspended or in-flight envelopes.</summary>
    public bool TrySchedule(ulong evpid, long now)
    {
        if (!_all.TryGetValue(evpid, out var e) || e.Held || e.InFlight)
        {
            return false;
        }

        Reschedule(e, now);
        return true;
    }

    /// <summary>
    /// remove: an envelope waiting is forgotten now (true: the caller deletes its file); one in
    /// flight is marked, and its attempt's result decides (false).
    /// </summary>
    public bool RemoveByAdmin(ulong evpid, out bool removedNow)
    {
        removedNow = false;
        if (!_all.TryGetValue(evpid, out var e) || e.RemovePending)
        {
            return false;
        }

        if (e.InFlight)
        {
            e.RemovePending = true;
            return true;
        }

        Forget(e);
        removedNow = true;
        return true;
    }

    /// <summary>Whether an envelope removed while in flight waits for its attempt's end.</summary>
    public bool IsRemovePending(ulong evpid) => _all.TryGetValue(evpid, out var e) && e.RemovePending;

    private bool SetAsideIfPaused(ScheduledEnvelope e)
    {
        if (!_pausedKinds.Contains(e.Kind))
        {
            return false;
        }

        _setAside.Add(e);
        return true;
    }
}
