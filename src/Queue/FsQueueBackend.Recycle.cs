// Spare files and directories. A message costs three new inodes in OpenSMTPD's layout (its
// incoming/ directory, the body, one envelope per recipient), each freed again once delivered.
// On ext4 without a journal, allocating an inode skips every inode freed in the last seconds to
// minutes, so under a steady stream of mail each allocation scanned further; and freeing blocks
// with -o discard is a discard request the call waits for. So the queue keeps what it deletes:
// an emptied message directory, an envelope or a small body is renamed to purge/spare-<n> and
// renamed back into place for the next message, written over its old blocks and cut to length
// (an envelope at once; a body at its commit, which learns the length from the dispatcher,
// because emptying it first would free its blocks). In steady state the queue allocates no inode.
// The dispatcher, which writes a body through the descriptor it is passed, could read the older
// content behind what it writes: mail the dispatcher itself received.
// Spares live in purge/, so a restart (which empties purge/) throws them away, as OpenSMTPD
// would. They must never be why mail is refused: when the disk (or its inode table) is full,
// the queue deletes them all and tries once more. The commit thread can get there too (making a
// bucket directory), hence the lock.
using Smtpd.Interop;

namespace Smtpd.Queue;

internal sealed partial class FsQueueBackend
{
    private const string SparePrefix = "spare-";

    // Enough for the messages of a busy burst (per pool).
    private const int SparesKept = 256;

    // Larger bodies are deleted: a spare keeps its blocks until it is reused.
    private const long SpareBodyMaxSize = 64 * 1024;

    private readonly Stack<string> _spareDirs = new();

    // Bodies apart from envelopes: a file is reused for what it held, so cutting it to its new
    // length rarely frees blocks.
    private readonly Stack<string> _spareEnvelopes = new();
    private readonly Stack<string> _spareBodies = new();
    private readonly object _spareLock = new();
    private long _spareSerial;

    // Messages whose body file is a reused one: their commit must know the length written.
    private readonly HashSet<uint> _reusedBodies = [];

    private static bool IsFull(Errno e) => e is Errno.ENOSPC or Errno.EDQUOT;

    private void RememberReusedBody(MsgId msgid)
    {
        lock (_spareLock)
        {
            _reusedBodies.Add(msgid.Value);
        }
    }

    /// <summary>Whether the message's body file was a reused one; forgets it.</summary>
    private bool ForgetReusedBody(MsgId msgid)
    {
        lock (_spareLock)
        {
            return _reusedBodies.Remove(msgid.Value);
        }
    }

    /// <summary>Deletes every spare, giving their inodes and blocks back; false when there was none.</summary>
    private bool ReleaseSpares()
    {
        lock (_spareLock)
        {
            bool any = _spareDirs.Count + _spareEnvelopes.Count + _spareBodies.Count > 0;
            foreach (var pool in new[] { _spareEnvelopes, _spareBodies })
            {
                while (pool.TryPop(out string? file))
                {
                    _ = _fs.Unlink(file);
                }
            }

            while (_spareDirs.TryPop(out string? dir))
            {
                _ = _fs.Rmdir(dir);
            }

            return any;
        }
    }

    /// <summary>mkdir, once more after releasing the spares when the disk is full.</summary>
    private Errno MakeDirectory(string path)
    {
        Errno e = _fs.Mkdir(path, DirMode);
        return IsFull(e) && ReleaseSpares() ? _fs.Mkdir(path, DirMode) : e;
    }

    /// <summary>An exclusive create, once more after releasing the spares when the disk is full.</summary>
    private Errno CreateFile(string path, out SafeFd? fd)
    {
        Errno e = _fs.CreateExclusive(path, FileMode, out fd);
        return IsFull(e) && ReleaseSpares() ? _fs.CreateExclusive(path, FileMode, out fd) : e;
    }

    private static bool IsSpareName(string name) => name.StartsWith(SparePrefix, StringComparison.Ordinal);

    private string NewSpareName() =>
        Path.Combine(Paths.Purge, SparePrefix + (++_spareSerial).ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Keeps an emptied message directory for the next message, else removes it.</summary>
    private Errno RecycleOrRemoveDir(string dir)
    {
        lock (_spareLock)
        {
            if (_spareDirs.Count < SparesKept)
            {
                string spare = NewSpareName();
                if (_fs.RenameNoReplace(dir, spare) == Errno.None)
                {
                    _spareDirs.Push(spare);
                    return Errno.None;
                }
            }

            return _fs.Rmdir(dir);
        }
    }

    /// <summary>Keeps a deleted envelope, or a small body, for reuse, else unlinks it. ENOENT when it was not there.</summary>
    private Errno RecycleOrUnlink(string path, bool body)
    {
        lock (_spareLock)
        {
            var pool = body ? _spareBodies : _spareEnvelopes;
            if (pool.Count < SparesKept
                && (!body || (_fs.Status(path, out var st) == Errno.None && st.IsRegular && st.Size <= SpareBodyMaxSize)))
            {
                string spare = NewSpareName();
                Errno e = _fs.RenameNoReplace(path, spare);
                if (e == Errno.None)
                {
                    pool.Push(spare);
                    return e;
                }

                if (e == Errno.ENOENT)
                {
                    return e;
                }
            }

            return _fs.Unlink(path);
        }
    }

    /// <summary>
    /// Puts a spare directory at <paramref name="dir"/> (which must not exist). EEXIST when the
    /// name is taken; ENOENT when no spare is left, and the caller makes a new one.
    /// </summary>
    private Errno TakeSpareDir(string dir)
    {
        lock (_spareLock)
        {
            while (_spareDirs.TryPeek(out string? spare))
            {
                Errno e = _fs.RenameNoReplace(spare, dir);
                if (e == Errno.EEXIST)
                {
                    return e;
                }

                _spareDirs.Pop();
                if (e == Errno.None)
                {
                    return e;
                }

                // Gone or unusable: forget it (the next start's purge removes what is left).
            }

            return Errno.ENOENT;
        }
    }

    /// <summary>
    /// Puts a spare file at <paramref name="path"/> (which must not exist) and opens it for
    /// writing from the start. EEXIST when the name is taken; ENOENT when no spare is left.
    /// The caller must overwrite it and cut it to length: the old content is still there.
    /// </summary>
    private Errno TakeSpareFile(string path, bool body, out SafeFd? fd)
    {
        lock (_spareLock)
        {
            fd = null;
            var pool = body ? _spareBodies : _spareEnvelopes;
            while (pool.TryPeek(out string? spare))
            {
                Errno e = _fs.RenameNoReplace(spare, path);
                if (e == Errno.EEXIST)
                {
                    return e;
                }

                pool.Pop();
                if (e != Errno.None)
                {
                    continue;
                }

                e = _fs.OpenReadWrite(path, out fd);
                if (e == Errno.None)
                {
                    return e;
                }

                _ = _fs.Unlink(path);
            }

            return Errno.ENOENT;
        }
    }
}
