// Where each queue object lives, relative to the spool root. Buckets are the msgid's top byte:
// queue/3f/3fa2c901/3fa2c9017c1d2e3f. Behaviour reference: usr.sbin/smtpd/queue_fs.c, queue_backend.c.
namespace Smtpd.Queue;

internal sealed class QueuePaths(string root)
{
    public const string MessageName = "message";

    public string Root { get; } = root;

    public string Incoming { get; } = Path.Combine(root, "incoming");

    public string Queue { get; } = Path.Combine(root, "queue");

    public string Temporary { get; } = Path.Combine(root, "temporary");

    public string Purge { get; } = Path.Combine(root, "purge");

    public string Corrupt { get; } = Path.Combine(root, "corrupt");

    /// <summary>The single scratch file for atomic envelope writes (the queue process is single-threaded).</summary>
    public string EnvelopeTmp => Path.Combine(Incoming, "envelope.tmp");

    /// <summary>The body while it is being received: OpenSMTPD's queue_message_fd_rw file.</summary>
    public string MessageTemp(MsgId msgid) => Path.Combine(Temporary, msgid.ToString());

    public string IncomingDir(MsgId msgid) => Path.Combine(Incoming, msgid.ToString());

    public string IncomingMessage(MsgId msgid) => Path.Combine(IncomingDir(msgid), MessageName);

    public string IncomingEnvelope(EvpId evpid) => Path.Combine(IncomingDir(evpid.MsgId), evpid.ToString());

    public string Bucket(MsgId msgid) => Path.Combine(Queue, msgid.Bucket);

    public string MessageDir(MsgId msgid) => Path.Combine(Bucket(msgid), msgid.ToString());

    public string MessageFile(MsgId msgid) => Path.Combine(MessageDir(msgid), MessageName);

    public string Envelope(EvpId evpid) => Path.Combine(MessageDir(evpid.MsgId), evpid.ToString());

    public string CorruptDir(MsgId msgid) => Path.Combine(Corrupt, msgid.ToString());
}
