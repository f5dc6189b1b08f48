// Bounce envelopes of one message that go to the same sender with the same kind of report
// become one report: a message sent to a thousand failing recipients (or to one recipient a
// thousand times) gives its sender one notice, each recipient listed once, as OpenSMTPD's
// bounce.c groups them by message, kind and sender (it waits 1 s; under load siblings come
// slower, hence 2 s here). A batch waits a moment (BatchDelay after its
// last addition, at most MaxWait in all) for its siblings, which usually fail together.
using Smtpd.Interop;
using Smtpd.Ipc.Messages;
using Smtpd.Mime;

namespace Smtpd.Dispatcher;

internal sealed class BounceBatch
{
    /// <summary>How long a batch waits after its last addition for more of its message's envelopes.</summary>
    public static readonly TimeSpan BatchDelay = TimeSpan.FromSeconds(2);

    /// <summary>How long a batch may wait in all, however steadily siblings keep coming.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    /// <summary>Recipients in one report; more start another (a report stays a readable size).</summary>
    public const int MaxRecipients = 1000;

    private readonly List<BounceRequest> _listed = [];
    private readonly HashSet<(string Final, string Original)> _seen = [];

    public BounceBatch(BounceRequest first, SafeFd original, DateTime now)
    {
        First = first;
        Original = original;
        Started = now;
        Add(first, now);
    }

    /// <summary>The request whose shared fields (sender, kind, arrival, return, envid) the report shows.</summary>
    public BounceRequest First { get; }

    /// <summary>The original message, from the first envelope; the siblings' descriptors are closed at once.</summary>
    public SafeFd Original { get; }

    public DateTime Started { get; }

    public DateTime LastAdded { get; private set; }

    /// <summary>Every bounce envelope this report answers, duplicates included: each is done when the report is.</summary>
    public List<ulong> EnvelopeIds { get; } = [];

    /// <summary>The recipients the report lists, each once, in the order they failed.</summary>
    public IReadOnlyList<BounceRequest> Listed => _listed;

    public bool IsFull => _listed.Count >= MaxRecipients;

    /// <summary>When the batch is to be sent if nothing more comes.</summary>
    public DateTime Due => Min(LastAdded + BatchDelay, Started + MaxWait);

    /// <summary>What groups envelopes into one report: message, sender, kind and the fields the report's header shows.</summary>
    public static (uint MsgId, BounceType Kind, bool Relayed, string To, bool ReturnFull, string EnvId, long Delay, long Ttl, long Arrival) KeyOf(BounceRequest r) =>
        ((uint)(r.EvpId >> 32), r.Kind, r.RemoteMta.Length > 0, r.To, r.ReturnFull, r.EnvId, r.Delay, r.Ttl, r.Arrival);

    public void Add(BounceRequest r, DateTime now)
    {
        EnvelopeIds.Add(r.EvpId);
        LastAdded = now;
        if (_seen.Add((r.FailedRecipient.ToLowerInvariant(), r.OriginalRecipient.ToLowerInvariant())))
        {
            _listed.Add(r);
        }
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
}
