// The scheduler's whole knowledge of one envelope: no file, no content, just timing.
using Smtpd.Ipc.Messages;

namespace Smtpd.Scheduler;

internal sealed class ScheduledEnvelope
{
    public ScheduledEnvelope(ulong evpId, DeliveryKind kind, long creation, long ttl, int retry, DestDomain domain)
    {
        EvpId = evpId;
        Domain = domain;
        Kind = kind;
        Creation = creation;
        Expire = creation + ttl;
        Retry = retry;
    }

    public ulong EvpId { get; }

    public uint MsgId => (uint)(EvpId >> 32);

    public DeliveryKind Kind { get; }

    /// <summary>The recipient domain, whose in-flight limit this envelope counts against.</summary>
    public DestDomain Domain { get; }

    public long Creation { get; }

    /// <summary>When the envelope gives up (creation + ttl), as Unix seconds.</summary>
    public long Expire { get; }

    /// <summary>Attempts made so far; drives the backoff.</summary>
    public int Retry { get; set; }

    /// <summary>When the next attempt is due, as Unix seconds.</summary>
    public long Next { get; set; }

    public bool InFlight { get; set; }

    public bool Held { get; set; }

    /// <summary>Its lifetime ran out while it was in flight: expire it if the attempt fails temporarily.</summary>
    public bool ExpiryPending { get; set; }

    /// <summary>Removed by the administrator while in flight: forgotten when its attempt fails temporarily.</summary>
    public bool RemovePending { get; set; }

    /// <summary>The point in time of the last delay warning sent (0: none yet).</summary>
    public long LastBounce { get; set; }
}
