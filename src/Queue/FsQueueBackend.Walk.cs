// Walking the committed spool: queue/<2 hex>/<8 hex>/<16 hex>. Names of any other shape are
// someone else's files and are skipped, as OpenSMTPD skips them. Envelopes that cannot be read
// back are moved to corrupt/ as they are met.
// Behaviour reference: usr.sbin/smtpd/queue_fs.c (fsqueue_qwalk, queue_fs_message_walk).
using Smtpd.Interop;

namespace Smtpd.Queue;

internal sealed partial class FsQueueBackend
{
    public IEnumerable<QueueWalkEntry> EnvelopeWalk()
    {
        Errno e = _fs.List(Paths.Queue, out var buckets);
        if (e != Errno.None)
        {
            yield return new QueueWalkEntry(default, QueueStatus.TempFail, null, "list " + Paths.Queue + ": " + Posix.StrError(e));
            yield break;
        }

        foreach (string bucket in buckets.Order(StringComparer.Ordinal))
        {
            string bucketDir = Path.Combine(Paths.Queue, bucket);
            if (!QueueHex.IsLowerHex(bucket, 2) || !IsDirectory(bucketDir))
            {
                continue;
            }

            e = _fs.List(bucketDir, out var messages);
            if (e != Errno.None)
            {
                yield return new QueueWalkEntry(default, QueueStatus.TempFail, null, "list " + bucketDir + ": " + Posix.StrError(e));
                continue;
            }

            foreach (string name in messages.Order(StringComparer.Ordinal))
            {
                if (!MsgId.TryParse(name, out MsgId msgid) || name != msgid.ToString() || msgid.Bucket != bucket)
                {
                    continue;
                }

                foreach (var entry in MessageWalk(msgid))
                {
                    yield return entry;
                }
            }
        }
    }

    public IEnumerable<QueueWalkEntry> MessageWalk(MsgId msgid)
    {
        string dir = Paths.MessageDir(msgid);
        if (!IsDirectory(dir))
        {
            yield break;
        }

        Errno e = _fs.List(dir, out var names);
        if (e != Errno.None)
        {
            yield return new QueueWalkEntry(default, QueueStatus.TempFail, null, "list " + dir + ": " + Posix.StrError(e));
            yield break;
        }

        var evpids = new List<EvpId>();
        foreach (string name in names.Order(StringComparer.Ordinal))
        {
            if (IsEnvelopeName(name, msgid) && EvpId.TryParse(name, out EvpId evpid))
            {
                evpids.Add(evpid);
            }
        }

        // A commit never publishes a message without an envelope, so an envelope-less directory is
        // what a crash between deleting the last envelope and removing the message leaves behind.
        if (evpids.Count == 0)
        {
            _ = PurgeTree(dir);
            yield break;
        }

        // Envelopes without their message could only ever bounce with an empty body: set them aside.
        bool hasMessage = _fs.Status(Paths.MessageFile(msgid), out FileStatus st) == Errno.None && st.IsRegular;
        foreach (EvpId evpid in evpids)
        {
            if (!hasMessage)
            {
                var q = Quarantine(evpid, "message file missing");
                yield return new QueueWalkEntry(evpid, q.Status, null, q.Reason);
                continue;
            }

            // A walk reads what is on disk (as OpenSMTPD's does), never the cache.
            var r = EnvelopeLoadFromDisk(evpid, out Envelope? envelope);
            if (r.Status == QueueStatus.NotFound)
            {
                continue;
            }

            yield return new QueueWalkEntry(evpid, r.Status, envelope, r.Reason);
        }
    }

    private bool IsDirectory(string path) => _fs.Status(path, out FileStatus st) == Errno.None && st.IsDirectory;
}
