// The queue's storage contract, as narrow as OpenSMTPD's queue_api: messages are created,
// filled through a descriptor, committed or deleted; envelopes are created, loaded, updated,
// deleted and walked. No method throws for an environment failure: each returns a QueueResult,
// and anything but Ok means the spool is as it was before the call, with two refinements: a
// failed commit leaves nothing of the message in queue/ (its remains in incoming/ go with
// MessageDelete or the next start), and a failed update leaves the old or the new envelope.
// Behaviour reference: usr.sbin/smtpd/queue_backend.c (queue_api_on_*), smtpd-api.h.
using Smtpd.Interop;

namespace Smtpd.Queue;

internal interface IQueueBackend : IDisposable
{
    /// <summary>
    /// Whether bodies are rewritten at commit (compressed or encrypted): such a backend's commit
    /// must run on the queue's loop, the cipher not being thread-safe.
    /// </summary>
    bool TransformsBodies { get; }

    /// <summary>Start-up: creates missing work directories and purges what a previous run left unacknowledged.</summary>
    QueueResult Init();

    /// <summary>
    /// Picks a fresh message id and returns a new, empty, writable body file for it (handed to the
    /// dispatcher, which writes the message into it). The caller owns <paramref name="body"/>.
    /// </summary>
    QueueResult MessageCreate(out MsgId msgid, out SafeFd? body);

    /// <summary>
    /// Makes the message and all its envelopes durable and visible to the scheduler. Ok only once
    /// everything is on disk (the point where the client may be told 250). The body is cut to
    /// <paramref name="bodyLength"/> bytes, what was written into it: the file MessageCreate gave
    /// may be a reused one with older content behind that. -1: the file is as long as what was
    /// written (refused when the file was a reused one).
    /// </summary>
    QueueResult MessageCommit(MsgId msgid, long bodyLength = -1);

    /// <summary>Commits several messages, sharing their syncs; one result per message, in order.</summary>
    QueueResult[] MessageCommitBatch(IReadOnlyList<(MsgId Id, long BodyLength)> messages);

    /// <summary>Removes a message, incoming or queued, with every envelope it still has. Idempotent.</summary>
    QueueResult MessageDelete(MsgId msgid);

    /// <summary>A read-only descriptor on the message's plain content, for delivery.</summary>
    QueueResult MessageOpenRead(MsgId msgid, out SafeFd? fd);

    /// <summary>
    /// Stores a new envelope of <paramref name="msgid"/> (incoming, or already queued as for a bounce)
    /// and sets its Id and creation time.
    /// </summary>
    QueueResult EnvelopeCreate(MsgId msgid, Envelope envelope);

    /// <summary>Replaces a queued envelope atomically: the old or the new file is there, never a mix, even after a failure.</summary>
    QueueResult EnvelopeUpdate(Envelope envelope);

    /// <summary>Removes a queued envelope; the message goes with its last envelope.</summary>
    QueueResult EnvelopeDelete(EvpId evpid);

    /// <summary>Reads a queued envelope; one that cannot be read back is moved to corrupt/ (status Corrupt).</summary>
    QueueResult EnvelopeLoad(EvpId evpid, out Envelope? envelope);

    /// <summary>Every queued envelope, for the scheduler at start.</summary>
    IEnumerable<QueueWalkEntry> EnvelopeWalk();

    /// <summary>The queued envelopes of one message.</summary>
    IEnumerable<QueueWalkEntry> MessageWalk(MsgId msgid);
}
