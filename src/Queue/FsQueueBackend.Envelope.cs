// Envelopes: creation (incoming, or into a queued message as bounces are), atomic update,
// deletion, loading, and quarantine of what cannot be read back.
// Behaviour reference: usr.sbin/smtpd/queue_fs.c (queue_fs_envelope_*), queue_backend.c.
using System.Text;
using Smtpd.Interop;

namespace Smtpd.Queue;

internal sealed partial class FsQueueBackend
{
    public QueueResult EnvelopeCreate(MsgId msgid, Envelope envelope)
    {
        if (msgid.Value == 0)
        {
            return QueueResult.NotFound("msgid 0");
        }

        bool incoming = Exists(Paths.IncomingDir(msgid), out Errno se);
        if (se != Errno.None)
        {
            return QueueResult.TempFail(se, "stat " + Paths.IncomingDir(msgid));
        }

        if (!incoming && !Exists(Paths.MessageDir(msgid), out se))
        {
            return se == Errno.None ? QueueResult.NotFound("no message " + msgid) : QueueResult.TempFail(se, "stat " + Paths.MessageDir(msgid));
        }

        long created = _options.Clock();
        var stamped = envelope.Clone();
        stamped.CreationTime = created;
        QueueResult r = Encode(stamped, out byte[] data);
        if (!r.IsOk)
        {
            return r;
        }

        for (int i = 0; i < IdAttempts; i++)
        {
            var evpid = EvpId.NewRandom(msgid);
            Errno e = incoming ? CreateIncoming(evpid, data) : CreateQueued(evpid, data);
            if (e == Errno.EEXIST)
            {
                continue;
            }

            if (e != Errno.None)
            {
                return QueueResult.TempFail(e, "create envelope " + evpid);
            }

            envelope.Id = evpid;
            envelope.CreationTime = created;
            if (incoming)
            {
                RememberIncoming(envelope);
            }
            else
            {
                RememberQueued(envelope);
            }

            return QueueResult.Ok;
        }

        return QueueResult.TempFail(Errno.EEXIST, "could not allocate an evpid");
    }

    public QueueResult EnvelopeUpdate(Envelope envelope)
    {
        string path = Paths.Envelope(envelope.Id);

        // rename(2) would happily create an envelope that was deleted meanwhile; do not resurrect it.
        if (!Exists(path, out Errno se))
        {
            return se == Errno.None ? QueueResult.NotFound("no envelope " + envelope.Id) : QueueResult.TempFail(se, "stat " + path);
        }

        QueueResult r = Encode(envelope, out byte[] data);
        if (!r.IsOk)
        {
            return r;
        }

        Errno e = Publish(data, path, replace: true);
        if (e != Errno.None)
        {
            return QueueResult.TempFail(e, "update envelope " + envelope.Id);
        }

        RememberUpdated(envelope);
        return QueueResult.Ok;
    }

    public QueueResult EnvelopeDelete(EvpId evpid)
    {
        string path = Paths.Envelope(evpid);
        Errno e = RecycleOrUnlink(path, body: false);
        if (e is not (Errno.None or Errno.ENOENT))
        {
            return QueueResult.TempFail(e, "unlink " + path);
        }

        // A resurrected envelope after a power cut means a duplicate delivery, never a loss, so the
        // unlink is not fsynced. The message goes with its last envelope: counted in memory for
        // the messages this process committed, looked for on disk for the others.
        string dir = Paths.MessageDir(evpid.MsgId);
        int left = ForgetEnvelope(evpid);
        if (left > 0)
        {
            return QueueResult.Ok;
        }

        if (left == 0)
        {
            return RecycleOrUnlink(Path.Combine(dir, QueuePaths.MessageName), body: true) is Errno.None or Errno.ENOENT
                && RecycleOrRemoveDir(dir) == Errno.None
                ? QueueResult.Ok : MessageDelete(evpid.MsgId);
        }

        e = _fs.List(dir, out var names);
        if (e == Errno.ENOENT)
        {
            return QueueResult.Ok;
        }

        if (e != Errno.None)
        {
            return QueueResult.TempFail(e, "list " + Paths.MessageDir(evpid.MsgId));
        }

        if (names.Any(n => IsEnvelopeName(n, evpid.MsgId)))
        {
            return QueueResult.Ok;
        }

        // The last envelope is gone: remove the message file and its directory in place, two
        // calls instead of the purge/ round trip. A crash in between leaves a directory without
        // envelopes, which the next start's walk purges. Anything unexpected inside takes the
        // careful way.
        if (names.Count == 1 && names[0] == QueuePaths.MessageName
            && RecycleOrUnlink(Path.Combine(dir, QueuePaths.MessageName), body: true) == Errno.None
            && RecycleOrRemoveDir(dir) == Errno.None)
        {
            return QueueResult.Ok;
        }

        return MessageDelete(evpid.MsgId);
    }

    /// <summary>From the cache when this process wrote it recently (as OpenSMTPD's evpcache), else from disk.</summary>
    public QueueResult EnvelopeLoad(EvpId evpid, out Envelope? envelope) =>
        TryCached(evpid, out envelope) ? QueueResult.Ok : EnvelopeLoadFromDisk(evpid, out envelope);

    /// <summary>Reads the envelope file; what cannot be read back is set aside in corrupt/.</summary>
    private QueueResult EnvelopeLoadFromDisk(EvpId evpid, out Envelope? envelope)
    {
        envelope = null;
        string path = Paths.Envelope(evpid);
        Errno e = _fs.Status(path, out FileStatus st);
        if (e != Errno.None)
        {
            return e == Errno.ENOENT ? QueueResult.NotFound("no envelope " + evpid) : QueueResult.TempFail(e, "stat " + path);
        }

        if (!st.IsRegular)
        {
            return Quarantine(evpid, "not a regular file");
        }

        e = ReadFile(path, EnvelopeFormat.MaxLoadSize, out byte[] stored, out bool tooLarge);
        if (e != Errno.None)
        {
            return e == Errno.ENOENT ? QueueResult.NotFound("no envelope " + evpid) : QueueResult.TempFail(e, "read " + path);
        }

        if (tooLarge)
        {
            return Quarantine(evpid, "too large");
        }

        if (!_codec.TryDecode(stored, EnvelopeFormat.MaxLoadSize, isMessage: false, out byte[] text, out string why))
        {
            return Quarantine(evpid, why);
        }

        if (!EnvelopeFormat.TryLoad(text, out Envelope? loaded, out why))
        {
            return Quarantine(evpid, why);
        }

        if (EnvelopeFormat.Validate(loaded!) is string invalid)
        {
            return Quarantine(evpid, invalid);
        }

        loaded!.Id = evpid;
        envelope = loaded;
        return QueueResult.Ok;
    }

    /// <summary>
    /// Moves an envelope that cannot be read back to corrupt/&lt;msgid&gt;/, beside a .reason file, so
    /// an administrator can look at it; the daemon carries on. When no readable envelope is left,
    /// the message file follows, so nothing orphaned stays in queue/.
    /// </summary>
    private QueueResult Quarantine(EvpId evpid, string reason)
    {
        var result = QueueResult.Corrupt(reason);
        string dir = Paths.CorruptDir(evpid.MsgId);
        Errno e = _fs.Mkdir(dir, DirMode);
        if (e is not (Errno.None or Errno.EEXIST))
        {
            return result with { Reason = reason + " (left in place: mkdir " + dir + " failed)" };
        }

        e = _fs.Rename(Paths.Envelope(evpid), Path.Combine(dir, evpid.ToString()));
        if (e != Errno.None)
        {
            return result with { Reason = reason + " (left in place: rename failed)" };
        }

        _ = ForgetEnvelope(evpid);

        string note = Path.Combine(dir, evpid + ".reason");
        _ = _fs.Unlink(note);
        _ = WriteNewFile(note, Encoding.UTF8.GetBytes(reason + "\n"), sync: false);

        MsgId msgid = evpid.MsgId;
        if (_fs.List(Paths.MessageDir(msgid), out var names) == Errno.None && !names.Any(n => IsEnvelopeName(n, msgid)))
        {
            _ = _fs.Rename(Paths.MessageFile(msgid), Path.Combine(dir, QueuePaths.MessageName));
            _ = PurgeTree(Paths.MessageDir(msgid));
        }

        return result;
    }

    private QueueResult Encode(Envelope envelope, out byte[] data)
    {
        if (!EnvelopeFormat.TryDump(envelope, out byte[] text, out string why))
        {
            data = [];
            return QueueResult.Refused("envelope " + envelope.Id + ": " + why);
        }

        // The size bound holds for the stored bytes too: OpenSMTPD reads those into the same buffer.
        data = _codec.Encode(text);
        return data.Length <= EnvelopeFormat.MaxDumpSize ? QueueResult.Ok : QueueResult.Refused("envelope " + envelope.Id + ": too large once encoded");
    }

    // Inside incoming/ nobody looks until the commit, which fsyncs every envelope; O_EXCL is the
    // collision check.
    private Errno CreateIncoming(EvpId evpid, byte[] data)
    {
        string path = Paths.IncomingEnvelope(evpid);
        Errno e = TakeSpareFile(path, body: false, out SafeFd? fd);
        if (e == Errno.ENOENT)
        {
            return WriteNewFile(path, data, sync: false);
        }

        if (e != Errno.None)
        {
            return e;
        }

        using (fd)
        {
            e = _fs.Write(fd!, data);
            if (e == Errno.None)
            {
                e = _fs.Truncate(fd!, data.Length);
            }
        }

        if (e != Errno.None)
        {
            _ = _fs.Unlink(path);
        }

        return e;
    }

    // Into a queued message (a bounce): the scheduler may read it at once, so the file must appear
    // whole and durable; link(2) publishes it without replacing a colliding id.
    private Errno CreateQueued(EvpId evpid, byte[] data) => Publish(data, Paths.Envelope(evpid), replace: false);

    /// <summary>Scratch file, fsync, then rename (replace) or link (no replace) into place, then fsync the directory.</summary>
    private Errno Publish(byte[] data, string target, bool replace)
    {
        string tmp = Paths.EnvelopeTmp;
        Errno e = _fs.Unlink(tmp);
        if (e is not (Errno.None or Errno.ENOENT))
        {
            return e;
        }

        e = WriteNewFile(tmp, data, sync: true);
        if (e != Errno.None)
        {
            return e;
        }

        e = replace ? _fs.Rename(tmp, target) : _fs.Link(tmp, target);
        if (!replace || e != Errno.None)
        {
            _ = _fs.Unlink(tmp);
        }

        if (e != Errno.None)
        {
            return e;
        }

        return _fs.FsyncDirectory(Path.GetDirectoryName(target)!);
    }
}
