// The two ways a commit reaches the disk. Both put every file and directory entry of a message
// on disk before the rename that publishes it, and that rename on disk before the reply.
namespace Smtpd.Queue;

internal enum QueueSyncMode
{
    /// <summary>
    /// syncfs(2) of the spool's filesystem, shared by every commit waiting at the moment (the
    /// commit thread batches them, QueueCommitter): two flushes per batch of messages, one under
    /// load, instead of five fsyncs per message.
    /// </summary>
    Grouped,

    /// <summary>fsync(2) of each file and directory the commit touched, commit by commit.</summary>
    PerFile,
}
