// Messages: creation, deletion, and opening for delivery (the commit is FsQueueBackend.Commit.cs).
// Behaviour reference: usr.sbin/smtpd/queue_fs.c (queue_fs_message_*), queue_backend.c
// (queue_message_fd_r, queue_message_fd_rw).
using Smtpd.Interop;

namespace Smtpd.Queue;

internal sealed partial class FsQueueBackend
{
    public QueueResult MessageCreate(out MsgId msgid, out SafeFd? body)
    {
        body = null;
        for (int i = 0; i < IdAttempts; i++)
        {
            msgid = MsgId.NewRandom();

            // A msgid already in queue/ would collide at commit time, when it is too late to pick another.
            if (Exists(Paths.MessageDir(msgid), out Errno se))
            {
                continue;
            }

            if (se != Errno.None)
            {
                return QueueResult.TempFail(se, "stat " + Paths.MessageDir(msgid));
            }

            Errno e = TakeSpareDir(Paths.IncomingDir(msgid));
            if (e == Errno.ENOENT)
            {
                e = MakeDirectory(Paths.IncomingDir(msgid));
            }

            if (e == Errno.EEXIST)
            {
                continue;
            }

            if (e != Errno.None)
            {
                return QueueResult.TempFail(e, "mkdir " + Paths.IncomingDir(msgid));
            }

            // The body is received in temporary/ and only moved into the message directory at commit,
            // after the compression and encryption layers had their turn (as OpenSMTPD does).
            // A leftover of the same name (a crash's, not yet purged) is replaced.
            string temp = Paths.MessageTemp(msgid);
            e = OpenBodyFile(msgid, temp, out body);
            if (e == Errno.EEXIST)
            {
                _ = _fs.Unlink(temp);
                e = OpenBodyFile(msgid, temp, out body);
            }

            if (e != Errno.None)
            {
                _ = _fs.Rmdir(Paths.IncomingDir(msgid));
                return QueueResult.TempFail(e, "open " + temp);
            }

            return QueueResult.Ok;
        }

        msgid = default;
        return QueueResult.TempFail(Errno.EEXIST, "could not allocate a msgid");
    }

    /// <summary>
    /// A body file at <paramref name="temp"/>, opened for writing from the start: a spare body
    /// (its old content still there until the commit cuts it to the length written), else a new file.
    /// </summary>
    private Errno OpenBodyFile(MsgId msgid, string temp, out SafeFd? body)
    {
        Errno e = TakeSpareFile(temp, body: true, out body);
        if (e == Errno.ENOENT)
        {
            return CreateFile(temp, out body);
        }

        if (e == Errno.None)
        {
            RememberReusedBody(msgid);
        }

        return e;
    }

    public QueueResult MessageDelete(MsgId msgid)
    {
        ForgetMessage(msgid);
        _ = ForgetReusedBody(msgid);

        // A body still being received, and the scratch copies a failed commit may have left.
        foreach (string suffix in new[] { string.Empty, ".enc" })
        {
            Errno ue = _fs.Unlink(Paths.MessageTemp(msgid) + suffix);
            if (ue is not (Errno.None or Errno.ENOENT))
            {
                return QueueResult.TempFail(ue, "unlink " + Paths.MessageTemp(msgid) + suffix);
            }
        }

        foreach (string dir in new[] { Paths.IncomingDir(msgid), Paths.MessageDir(msgid) })
        {
            // One rename takes the whole directory out of sight, so a crash during the removal
            // cannot leave envelopes whose message file is already gone.
            Errno e = PurgeTree(dir);
            if (e is not (Errno.None or Errno.ENOENT))
            {
                return QueueResult.TempFail(e, "purge " + dir);
            }
        }

        return QueueResult.Ok;
    }

    public QueueResult MessageOpenRead(MsgId msgid, out SafeFd? fd)
    {
        string path = Paths.MessageFile(msgid);
        Errno e;
        if (!_codec.Transforms)
        {
            e = _fs.OpenRead(path, out fd);
            return e switch
            {
                Errno.None => QueueResult.Ok,
                Errno.ENOENT => QueueResult.NotFound("no message " + msgid),
                _ => QueueResult.TempFail(e, "open " + path),
            };
        }

        fd = null;
        e = ReadFile(path, MaxMessageSize, out byte[] stored, out bool tooLarge);
        if (e != Errno.None)
        {
            return e == Errno.ENOENT ? QueueResult.NotFound("no message " + msgid) : QueueResult.TempFail(e, "read " + path);
        }

        if (tooLarge)
        {
            return QueueResult.Corrupt("message " + msgid + ": too large");
        }

        if (!_codec.TryDecode(stored, MaxMessageSize, isMessage: true, out byte[] plain, out string why))
        {
            return QueueResult.Corrupt("message " + msgid + ": " + why);
        }

        // Delivery gets a private plain copy: an unlinked file in temporary/, like OpenSMTPD's mktmpfile.
        string scratch = Path.Combine(Paths.Temporary, "smtpd." + EvpId.NewRandom(msgid));
        e = _fs.CreateExclusive(scratch, FileMode, out fd);
        if (e != Errno.None)
        {
            return QueueResult.TempFail(e, "open " + scratch);
        }

        _ = _fs.Unlink(scratch);
        e = _fs.Write(fd!, plain);
        if (e == Errno.None)
        {
            e = _fs.Seek(fd!, 0);
        }

        if (e != Errno.None)
        {
            fd!.Dispose();
            fd = null;
            return QueueResult.TempFail(e, "write " + scratch);
        }

        return QueueResult.Ok;
    }
}
