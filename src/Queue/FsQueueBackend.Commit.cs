// Messages: the durable commit, one at a time or grouped around shared syncs, and in steps for
// the commit thread's pipeline (IStagedCommits).
// Behaviour reference: usr.sbin/smtpd/queue_fs.c (queue_fs_message_commit), queue_backend.c
// (queue_message_commit).
using Smtpd.Interop;

namespace Smtpd.Queue;

internal sealed partial class FsQueueBackend
{
    /// <summary>
    /// The commit sequence. The one rename of incoming/&lt;msgid&gt; into queue/ is the commit point:
    /// before it nothing is visible to the scheduler, after it everything is. So every file is on
    /// disk before that rename (a rename can reach the disk before the data it names), and the
    /// directories it changed are on disk after it, before we report Ok and the client hears 250.
    /// "On disk" is an fsync of each file and directory in the per-file mode; in the grouped mode
    /// it is one syncfs before the renames and one after, shared by every message of the batch.
    /// </summary>
    public QueueResult MessageCommit(MsgId msgid, long bodyLength = -1) => MessageCommitBatch([(msgid, bodyLength)])[0];

    /// <summary>Commits several messages at once; one result per message, in order.</summary>
    public QueueResult[] MessageCommitBatch(IReadOnlyList<(MsgId Id, long BodyLength)> messages)
    {
        bool grouped = _options.Sync == QueueSyncMode.Grouped;
        var results = new QueueResult[messages.Count];
        bool any = false;
        for (int i = 0; i < messages.Count; i++)
        {
            results[i] = CommitStage(messages[i].Id, messages[i].BodyLength, grouped);
            any |= results[i].IsOk;
        }

        if (grouped && any)
        {
            Errno e = SyncSpool();
            if (e != Errno.None)
            {
                FailAll(results, QueueResult.TempFail(e, "syncfs"));
                return results;
            }
        }

        any = false;
        for (int i = 0; i < messages.Count; i++)
        {
            if (results[i].IsOk)
            {
                results[i] = CommitPublish(messages[i].Id, grouped);
                any |= results[i].IsOk;
            }
        }

        if (grouped && any)
        {
            Errno e = SyncSpool();
            if (e != Errno.None)
            {
                // We are about to report a failure, so the clients will send again: take these
                // copies out of queue/ rather than deliver them twice.
                for (int i = 0; i < messages.Count; i++)
                {
                    if (results[i].IsOk)
                    {
                        _ = PurgeTree(Paths.MessageDir(messages[i].Id));
                    }
                }

                FailAll(results, QueueResult.TempFail(e, "syncfs"));
            }
        }

        for (int i = 0; i < messages.Count; i++)
        {
            if (results[i].IsOk)
            {
                RememberCommitted(messages[i].Id);
            }
        }

        return results;
    }

    // The grouped commit in steps, for the commit thread's pipeline (QueueCommitter): there one
    // syncfs both publishes the batch before it (its renames) and stages the batch after it.

    /// <summary>Whether commits are grouped around syncfs (else each one fsyncs its own files).</summary>
    public bool GroupedCommits => _options.Sync == QueueSyncMode.Grouped;

    /// <summary>Steps 1 to 3, nothing synced yet: the message is complete in incoming/.</summary>
    public QueueResult StageForCommit(MsgId msgid, long bodyLength) => CommitStage(msgid, bodyLength, grouped: true);

    /// <summary>Makes everything written so far durable, staged files and published renames alike.</summary>
    public Errno SyncForCommit() => SyncSpool();

    /// <summary>Step 4, the commit point (the rename into queue/), once the staged files are durable.</summary>
    public QueueResult PublishForCommit(MsgId msgid) => CommitPublish(msgid, grouped: true);

    /// <summary>A published message whose sync failed: out of queue/, since its client is told to send it again.</summary>
    public void Unpublish(MsgId msgid) => _ = PurgeTree(Paths.MessageDir(msgid));

    /// <summary>A published message whose rename is durable: committed.</summary>
    public void Committed(MsgId msgid) => RememberCommitted(msgid);

    private static void FailAll(QueueResult[] results, QueueResult failure)
    {
        for (int i = 0; i < results.Length; i++)
        {
            if (results[i].IsOk)
            {
                results[i] = failure;
            }
        }
    }

    /// <summary>Steps 1 to 3: the body and envelopes complete in incoming/&lt;msgid&gt;/ (and synced, per file).</summary>
    private QueueResult CommitStage(MsgId msgid, long bodyLength, bool grouped)
    {
        string incoming = Paths.IncomingDir(msgid);
        string temp = Paths.MessageTemp(msgid);
        if (!Exists(incoming, out Errno se))
        {
            return se == Errno.None ? QueueResult.NotFound("no incoming message " + msgid) : QueueResult.TempFail(se, "stat " + incoming);
        }

        // 0. The body ends where its writer stopped: a reused file has older content after that.
        bool reused = ForgetReusedBody(msgid);
        if (bodyLength >= 0)
        {
            Errno te = _fs.Truncate(temp, bodyLength);
            if (te != Errno.None)
            {
                return QueueResult.TempFail(te, "truncate " + temp);
            }
        }
        else if (reused)
        {
            return QueueResult.Refused("message " + msgid + ": the length of its reused body file is unknown");
        }

        // 1. The body: rewritten through the layers if any, else synced as is.
        QueueResult r = _codec.Transforms ? EncodeBody(temp, sync: !grouped)
            : grouped ? QueueResult.Ok : Sync(temp);
        if (!r.IsOk)
        {
            return r;
        }

        // 2. Every envelope. They were written without fsync; one fsync each here costs the same and
        //    keeps envelope creation cheap for messages that never get committed. The grouped
        //    mode syncs them with everything else and only needs to know there is one.
        if (grouped && IncomingCount(msgid) > 0)
        {
            return StageBody(msgid, temp, incoming, grouped);
        }

        Errno e = _fs.List(incoming, out var names);
        if (e != Errno.None)
        {
            return QueueResult.TempFail(e, "list " + incoming);
        }

        int envelopes = 0;
        foreach (string name in names)
        {
            if (!IsEnvelopeName(name, msgid))
            {
                continue;
            }

            envelopes++;
            r = grouped ? QueueResult.Ok : Sync(Path.Combine(incoming, name));
            if (!r.IsOk)
            {
                return r;
            }
        }

        if (envelopes == 0)
        {
            return QueueResult.Refused("message " + msgid + " has no envelope");
        }

        return StageBody(msgid, temp, incoming, grouped);
    }

    private QueueResult StageBody(MsgId msgid, string temp, string incoming, bool grouped)
    {
        // 3. The body joins its envelopes, and the message directory's own entries are made durable.
        Errno e = _fs.Rename(temp, Paths.IncomingMessage(msgid));
        if (e != Errno.None)
        {
            return QueueResult.TempFail(e, "rename " + temp);
        }

        e = grouped ? Errno.None : _fs.FsyncDirectory(incoming);
        return e == Errno.None ? QueueResult.Ok : QueueResult.TempFail(e, "fsync " + incoming);
    }

    /// <summary>Steps 4 and 5: the commit point, then (per file) the directories it changed.</summary>
    private QueueResult CommitPublish(MsgId msgid, bool grouped)
    {
        string incoming = Paths.IncomingDir(msgid);
        string target = Paths.MessageDir(msgid);
        Errno e = _fs.Rename(incoming, target);
        if (e == Errno.ENOENT)
        {
            // First message of this bucket. The new bucket's entry in queue/ must be durable too,
            // or a power cut could lose the bucket with the message inside it (in the grouped
            // mode the sync after the rename covers it).
            e = MakeDirectory(Paths.Bucket(msgid));
            if (e is not (Errno.None or Errno.EEXIST))
            {
                return QueueResult.TempFail(e, "mkdir " + Paths.Bucket(msgid));
            }

            e = grouped ? Errno.None : _fs.FsyncDirectory(Paths.Queue);
            if (e != Errno.None)
            {
                return QueueResult.TempFail(e, "fsync " + Paths.Queue);
            }

            e = _fs.Rename(incoming, target);
        }

        if (e != Errno.None)
        {
            return QueueResult.TempFail(e, "rename " + incoming);
        }

        if (grouped)
        {
            return QueueResult.Ok;
        }

        // 5. Make the rename itself durable: the new entry in the bucket and the removal from
        //    incoming/ (else a power cut could show the message twice). queue/ itself changed only
        //    when the bucket was created, and that was made durable above.
        e = FsyncDirectories(Paths.Bucket(msgid), Paths.Incoming, out string? failed);
        if (e != Errno.None)
        {
            // We are about to report a failure, so the client will send the message again:
            // take this copy out of queue/ rather than deliver it twice.
            _ = PurgeTree(target);
            return QueueResult.TempFail(e, "fsync " + failed);
        }

        return QueueResult.Ok;
    }

    private Errno FsyncDirectories(string first, string second, out string? failed)
    {
        failed = first;
        Errno e = _fs.FsyncDirectory(first);
        if (e == Errno.None)
        {
            failed = second;
            e = _fs.FsyncDirectory(second);
        }

        return e;
    }

    private QueueResult Sync(string path)
    {
        Errno e = SyncFile(path);
        return e switch
        {
            Errno.None => QueueResult.Ok,
            Errno.ENOENT => QueueResult.NotFound(path),
            _ => QueueResult.TempFail(e, "fsync " + path),
        };
    }

    /// <summary>Replaces the body with its compressed and/or encrypted form: written beside it, synced when asked, renamed over it.</summary>
    private QueueResult EncodeBody(string temp, bool sync)
    {
        Errno e = ReadFile(temp, MaxMessageSize, out byte[] plain, out bool tooLarge);
        if (e != Errno.None)
        {
            return e == Errno.ENOENT ? QueueResult.NotFound(temp) : QueueResult.TempFail(e, "read " + temp);
        }

        if (tooLarge)
        {
            return QueueResult.Refused("message too large for queue compression or encryption");
        }

        string encoded = temp + ".enc";
        e = _fs.Unlink(encoded);
        if (e is not (Errno.None or Errno.ENOENT))
        {
            return QueueResult.TempFail(e, "unlink " + encoded);
        }

        e = WriteNewFile(encoded, _codec.Encode(plain), sync);
        if (e != Errno.None)
        {
            return QueueResult.TempFail(e, "write " + encoded);
        }

        e = _fs.Rename(encoded, temp);
        if (e != Errno.None)
        {
            _ = _fs.Unlink(encoded);
            return QueueResult.TempFail(e, "rename " + encoded);
        }

        return QueueResult.Ok;
    }
}
