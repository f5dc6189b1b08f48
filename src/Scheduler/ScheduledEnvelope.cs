// The scheduler's whole knowledge of one envelope: no file, no content, just timing.
namespace Smtpd.Scheduler;

internal sealed class ScheduledEnvelope
{
    public ScheduledEnvelope(ulong evpId, DeliveryKind kind, long creation, long ttl, int retry)
    {
        EvpId = evpId;
        Kind = kind;
        Creation = creation;
        Expire = creation + ttl;
        Retry = retry;
    }

    public ulong EvpId { get; }

    public uint MsgId => (uint)(EvpId >> 32);

    public DeliveryKind Kind { get; }

    public long Creation { get; }

    /// <summary>When the envelope gives up (creation + ttl), as Unix seconds.</summary>
    public long Expire { get; }

    /// <summary>Attempts made so far; drives the backoff.</summary>
    public int Retry { get; set; }

    /// <summary>When the next attempt is due, as Unix seconds.</summary>
    public long Next { get; set; }

    public bool InFlight { get; set; }

    public bool Held { get; set; }

    /// <summary>The point in time of the last delay warning sent (0: none yet).</summary>
    public long LastBounce { get; set; }
}
