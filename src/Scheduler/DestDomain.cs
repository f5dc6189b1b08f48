// One recipient domain as the scheduler sees it: how many of its envelopes exist and how many are
// in flight, and, while it is at its in-flight limit, the due envelopes waiting for one of its slots.
namespace Smtpd.Scheduler;

internal sealed class DestDomain
{
    public DestDomain(string name) => Name = name;

    /// <summary>The domain, lower-cased; envelopes share this one instance.</summary>
    public string Name { get; }

    /// <summary>Envelopes of this domain the scheduler knows; at zero the domain is forgotten.</summary>
    public int Envelopes { get; set; }

    /// <summary>Envelopes of this domain handed out and not answered yet.</summary>
    public int InFlight { get; set; }

    /// <summary>
    /// Due envelopes set aside because the domain was at its limit, by (next attempt, evpid); created
    /// on first use. Entries may be stale (removed, held, rescheduled): checked when taken back.
    /// </summary>
    public PriorityQueue<ScheduledEnvelope, (long At, ulong Id)>? Parked { get; set; }

    /// <summary>Whether the domain is on the list of those with a freed slot and parked envelopes.</summary>
    public bool Ready { get; set; }

    /// <summary>While Ready: the key of its live entry on that list (others are stale).</summary>
    public (long At, ulong Id) ReadyKey { get; set; }
}
