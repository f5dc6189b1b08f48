// The commit in steps, for a backend whose durability costs a sync shared by many messages (the
// filesystem queue's syncfs): QueueCommitter pipelines them so that one sync publishes the batch
// before it and stages the batch after it. A backend without it commits through
// IQueueBackend.MessageCommitBatch alone.
using Smtpd.Interop;

namespace Smtpd.Queue;

internal interface IStagedCommits
{
    /// <summary>Whether commits are grouped around one sync (else each one syncs its own files and the steps are not used).</summary>
    bool GroupedCommits { get; }

    /// <summary>The message complete where the commit point will pick it up, nothing synced yet.</summary>
    QueueResult StageForCommit(MsgId msgid, long bodyLength);

    /// <summary>Makes everything written so far durable, staged messages and published ones alike.</summary>
    Errno SyncForCommit();

    /// <summary>The commit point, once the staged message is durable; the next sync makes it durable.</summary>
    QueueResult PublishForCommit(MsgId msgid);

    /// <summary>A published message whose sync failed: taken back, since its client is told to send it again.</summary>
    void Unpublish(MsgId msgid);

    /// <summary>A published message whose publication is durable: committed.</summary>
    void Committed(MsgId msgid);
}
