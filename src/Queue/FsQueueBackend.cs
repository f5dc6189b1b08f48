// The filesystem queue in OpenSMTPD's layout, so a spool written by OpenSMTPD 7 can be taken
// over and the other way round: incoming/<msgid>/ while a message is received,
// queue/<bucket>/<msgid>/{message,<evpid>...} once committed, temporary/ for bodies in
// progress, purge/ for what is being thrown away, corrupt/ for what could not be read back.
// Unlike OpenSMTPD we make files and the directories a commit renames through durable before the
// commit is acknowledged. Not thread-safe, except that commits may run on one other thread (the
// queue process's commit thread) while the loop receives and deletes other messages.
// Behaviour reference: usr.sbin/smtpd/queue_fs.c, queue_backend.c.
using Smtpd.Interop;

namespace Smtpd.Queue;

internal sealed partial class FsQueueBackend : IQueueBackend, IStagedCommits
{
    private const uint DirMode = 0b111_000_000;
    private const uint FileMode = 0b110_000_000;

    // Ids are random; 20 collisions in a row mean something else is wrong (as OpenSMTPD judges).
    private const int IdAttempts = 20;

    // Message bodies are read into memory for the compression and encryption layers.
    private const long MaxMessageSize = int.MaxValue - 64;

    [ThreadStatic]
    private static byte[]? t_readScratch;

    private readonly IQueueFileSystem _fs;
    private readonly QueueCodec _codec;

    /// <summary>Whether bodies are compressed or encrypted at commit (the cipher is not thread-safe).</summary>
    public bool TransformsBodies => _codec.Transforms;
    private readonly QueueOptions _options;
    private readonly object _syncLock = new();
    private SafeFd? _spoolFd;

    public FsQueueBackend(string root, QueueOptions? options = null, IQueueFileSystem? fileSystem = null)
    {
        Paths = new QueuePaths(root);
        _options = options ?? QueueOptions.Default;
        _codec = new QueueCodec(_options);
        _fs = fileSystem ?? PosixQueueFileSystem.Instance;
    }

    public QueuePaths Paths { get; }

    public void Dispose()
    {
        _codec.Dispose();
        _spoolFd?.Dispose();
    }

    /// <summary>
    /// syncfs of the spool's filesystem (the grouped commit; QueueCommitter batches the commits
    /// that share it). The descriptor is opened once and kept: syncfs reports the writeback
    /// errors seen since it was opened.
    /// </summary>
    private Errno SyncSpool()
    {
        lock (_syncLock)
        {
            if (_spoolFd is null)
            {
                // queue/ rather than the spool root: the queue user may not read the root (0711),
                // and queue/ is where the commits land (incoming/ shares its filesystem, or the
                // commit's rename could not work).
                Errno e = _fs.OpenDirectory(Paths.Queue, out _spoolFd);
                if (e != Errno.None)
                {
                    return e;
                }
            }

            return _fs.SyncFileSystem(_spoolFd!);
        }
    }

    /// <summary>
    /// Creates any missing work directory (mode 0700, owned by the caller: in the daemon, QueueSpool
    /// has already made them with OpenSMTPD's owners while root), then purges.
    /// </summary>
    public QueueResult Init()
    {
        foreach (string dir in new[] { Paths.Queue, Paths.Incoming, Paths.Temporary, Paths.Purge, Paths.Corrupt })
        {
            Errno e = _fs.Mkdir(dir, DirMode);
            if (e is not (Errno.None or Errno.EEXIST))
            {
                return QueueResult.TempFail(e, "mkdir " + dir);
            }
        }

        return Purge();
    }

    /// <summary>
    /// Throws away everything never acknowledged. Each entry of incoming/ and temporary/ is renamed
    /// into purge/ in one step (so the next run never sees half a message), then purge/ is emptied.
    /// Entries are moved rather than the directories themselves, because the queue user may not
    /// write the spool root (0711 root), and the directories keep the owner and mode the parent gave
    /// them. Messages in queue/ are untouched.
    /// </summary>
    public QueueResult Purge()
    {
        foreach (string dir in new[] { Paths.Incoming, Paths.Temporary })
        {
            Errno e = _fs.List(dir, out var names);
            if (e != Errno.None)
            {
                return QueueResult.TempFail(e, "list " + dir);
            }

            foreach (string name in names)
            {
                e = MoveToPurge(Path.Combine(dir, name));
                if (e is not (Errno.None or Errno.ENOENT))
                {
                    return QueueResult.TempFail(e, "purge " + Path.Combine(dir, name));
                }
            }
        }

        Errno pe = EmptyPurgeDir(keepSpares: false);
        return pe == Errno.None ? QueueResult.Ok : QueueResult.TempFail(pe, "empty " + Paths.Purge);
    }

    /// <summary>Renames <paramref name="path"/> to a random name in purge/, as OpenSMTPD's mvpurge does.</summary>
    private Errno MoveToPurge(string path)
    {
        Errno e = Errno.None;
        for (int i = 0; i < IdAttempts; i++)
        {
            uint n = Posix.RandomUInt32();
            e = _fs.Rename(path, Path.Combine(Paths.Purge, n.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            if (e is not (Errno.EEXIST or Errno.ENOTEMPTY or Errno.EISDIR or Errno.ENOTDIR))
            {
                return e;
            }
        }

        return e;
    }

    /// <summary>Moves a directory out of sight in one rename, then deletes it. A crash in between leaves it in purge/.</summary>
    private Errno PurgeTree(string path)
    {
        Errno e = MoveToPurge(path);
        if (e != Errno.None)
        {
            return e;
        }

        // The tree is already unreachable; failing to delete it now only delays the cleanup to the next start.
        _ = EmptyPurgeDir(keepSpares: true);
        return Errno.None;
    }

    /// <summary>Deletes what purge/ holds; at run time the spares (FsQueueBackend.Recycle) stay.</summary>
    private Errno EmptyPurgeDir(bool keepSpares)
    {
        Errno error = _fs.List(Paths.Purge, out var names);
        foreach (string name in names)
        {
            if (keepSpares && IsSpareName(name))
            {
                continue;
            }

            Errno e = RemoveTree(Path.Combine(Paths.Purge, name));
            if (error == Errno.None)
            {
                error = e;
            }
        }

        return error;
    }

    /// <summary>rm -r: files are unlinked, directories emptied then removed. ENOENT counts as done.</summary>
    private Errno RemoveTree(string path)
    {
        Errno e = _fs.Unlink(path);
        if (e is Errno.None or Errno.ENOENT)
        {
            return Errno.None;
        }

        // Linux answers EISDIR for unlink(2) on a directory (POSIX allows EPERM).
        if (e is not (Errno.EISDIR or Errno.EPERM))
        {
            return e;
        }

        e = _fs.List(path, out var names);
        if (e != Errno.None)
        {
            return e;
        }

        foreach (string name in names)
        {
            e = RemoveTree(Path.Combine(path, name));
            if (e != Errno.None)
            {
                return e;
            }
        }

        e = _fs.Rmdir(path);
        return e == Errno.ENOENT ? Errno.None : e;
    }

    /// <summary>Reads a whole file; past <paramref name="limit"/> bytes it stops and sets <paramref name="tooLarge"/> (a content problem, not an errno).</summary>
    private Errno ReadFile(string path, long limit, out byte[] data, out bool tooLarge)
    {
        data = [];
        tooLarge = false;
        Errno e = _fs.OpenRead(path, out SafeFd? fd);
        if (e != Errno.None)
        {
            return e;
        }

        using (fd)
        {
            // Envelopes are small and read on every commit and delivery: one scratch buffer per
            // thread (the loop, commit threads), sized to the limit plus one byte to see overflow.
            int size = (int)Math.Min(limit + 1, 1 << 20);
            byte[] scratch = size > 64 * 1024 ? new byte[size]
                : t_readScratch is { } b && b.Length >= size ? b : (t_readScratch = new byte[size]);
            int used = 0;
            while (true)
            {
                e = _fs.Read(fd!, scratch.AsSpan(used, size - used), out int n);
                if (e != Errno.None)
                {
                    return e;
                }

                if (n == 0)
                {
                    break;
                }

                used += n;
                if (used > limit)
                {
                    tooLarge = true;
                    return Errno.None;
                }

                if (used == size)
                {
                    // A whole message body (compression and encryption read it back): grow a
                    // private copy; only envelope-sized buffers stay with the thread.
                    Array.Resize(ref scratch, (int)Math.Min((long)size * 2, limit + 1));
                    size = scratch.Length;
                }
            }

            data = scratch.AsSpan(0, used).ToArray();
            return Errno.None;
        }
    }

    /// <summary>
    /// Creates <paramref name="path"/> (which must not exist), writes it whole and, when asked,
    /// fsyncs it. On failure nothing is left behind; a full disk gets a second try once the
    /// spares are released.
    /// </summary>
    private Errno WriteNewFile(string path, ReadOnlySpan<byte> data, bool sync)
    {
        Errno e = WriteNewFileOnce(path, data, sync);
        return IsFull(e) && ReleaseSpares() ? WriteNewFileOnce(path, data, sync) : e;
    }

    private Errno WriteNewFileOnce(string path, ReadOnlySpan<byte> data, bool sync)
    {
        Errno e = _fs.CreateExclusive(path, FileMode, out SafeFd? fd);
        if (e != Errno.None)
        {
            return e;
        }

        using (fd)
        {
            e = _fs.Write(fd!, data);
            if (e == Errno.None && sync)
            {
                e = _fs.Fsync(fd!);
            }
        }

        if (e != Errno.None)
        {
            _ = _fs.Unlink(path);
        }

        return e;
    }

    /// <summary>fsync of an existing file by name (the file's data and size must be on disk before a rename publishes it).</summary>
    private Errno SyncFile(string path)
    {
        Errno e = _fs.OpenRead(path, out SafeFd? fd);
        if (e != Errno.None)
        {
            return e;
        }

        using (fd)
        {
            return _fs.Fsync(fd!);
        }
    }

    private bool Exists(string path, out Errno error)
    {
        error = _fs.Status(path, out _);
        if (error == Errno.ENOENT)
        {
            error = Errno.None;
            return false;
        }

        return error == Errno.None;
    }

    private static bool IsEnvelopeName(string name, MsgId msgid) =>
        QueueHex.IsLowerHex(name, 16) && name.StartsWith(msgid.ToString(), StringComparison.Ordinal);
}
