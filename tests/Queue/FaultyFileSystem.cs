// A test double over the real file system that logs every call and can fail chosen ones:
// one call with a given errno (ENOSPC, EIO...), or every call from the n-th on, which is what a
// crash looks like from the disk's side (nothing more happens after it).
using Smtpd.Interop;
using Smtpd.Queue;

namespace Smtpd.Tests.Queue;

internal sealed class FaultyFileSystem : IQueueFileSystem
{
    private readonly PosixQueueFileSystem _real = PosixQueueFileSystem.Instance;

    public List<string> Log { get; } = [];

    /// <summary>Fail the call with this index (0-based, counting every call) ...</summary>
    public int FailAt { get; set; } = -1;

    /// <summary>... with this errno ...</summary>
    public Errno FailWith { get; set; } = Errno.EIO;

    /// <summary>... and, when set, every call after it too (a crash: the disk stays as it was).</summary>
    public bool Crash { get; set; }

    /// <summary>Only count calls whose log line starts with this prefix (e.g. "fsync"); null counts all.</summary>
    public string? Only { get; set; }

    public int Calls { get; private set; }

    /// <summary>Runs before every syncfs (a test holds the commit thread there).</summary>
    public Action? BeforeSync { get; set; }

    public bool Crashed { get; private set; }

    public Errno Mkdir(string path, uint mode) => Do("mkdir " + path, () => _real.Mkdir(path, mode));

    public Errno Rename(string from, string to) => Do("rename " + from + " -> " + to, () => _real.Rename(from, to));

    public Errno RenameNoReplace(string from, string to) => Do("rename " + from + " -> " + to, () => _real.RenameNoReplace(from, to));

    public Errno Link(string from, string to) => Do("link " + from + " -> " + to, () => _real.Link(from, to));

    public Errno Unlink(string path) => Do("unlink " + path, () => _real.Unlink(path));

    public Errno Rmdir(string path) => Do("rmdir " + path, () => _real.Rmdir(path));

    public Errno OpenRead(string path, out SafeFd? fd)
    {
        SafeFd? opened = null;
        Errno e = Do("open " + path, () => _real.OpenRead(path, out opened));
        fd = opened;
        return e;
    }

    public Errno CreateExclusive(string path, uint mode, out SafeFd? fd)
    {
        SafeFd? opened = null;
        Errno e = Do("create " + path, () => _real.CreateExclusive(path, mode, out opened));
        fd = opened;
        return e;
    }

    public Errno OpenReadWrite(string path, out SafeFd? fd)
    {
        SafeFd? opened = null;
        Errno e = Do("open " + path, () => _real.OpenReadWrite(path, out opened));
        fd = opened;
        return e;
    }

    public Errno Truncate(SafeFd fd, long length) => Do("truncate " + fd.Fd, () => _real.Truncate(fd, length));

    public Errno Truncate(string path, long length) => Do("truncate " + path, () => _real.Truncate(path, length));

    public Errno Write(SafeFd fd, ReadOnlySpan<byte> data)
    {
        byte[] copy = data.ToArray();
        return Do("write " + fd.Fd, () => _real.Write(fd, copy));
    }

    public Errno Read(SafeFd fd, Span<byte> buffer, out int count)
    {
        byte[] tmp = new byte[buffer.Length];
        int n = 0;
        Errno e = Do("read " + fd.Fd, () => _real.Read(fd, tmp, out n));
        tmp.AsSpan(0, n).CopyTo(buffer);
        count = n;
        return e;
    }

    public Errno Seek(SafeFd fd, long offset) => Do("seek " + fd.Fd, () => _real.Seek(fd, offset));

    public Errno Fsync(SafeFd fd) => Do("fsync " + FdPath(fd), () => _real.Fsync(fd));

    public Errno FsyncDirectory(string path) => Do("fsyncdir " + path, () => _real.FsyncDirectory(path));

    public Errno OpenDirectory(string path, out SafeFd? fd)
    {
        SafeFd? opened = null;
        Errno e = Do("opendir " + path, () => _real.OpenDirectory(path, out opened));
        fd = opened;
        return e;
    }

    public Errno SyncFileSystem(SafeFd dir)
    {
        BeforeSync?.Invoke();
        return Do("syncfs", () => _real.SyncFileSystem(dir));
    }

    public Errno Status(string path, out FileStatus status)
    {
        FileStatus st = default;
        Errno e = Do("stat " + path, () => _real.Status(path, out st));
        status = st;
        return e;
    }

    public Errno List(string path, out IReadOnlyList<string> names)
    {
        IReadOnlyList<string> found = [];
        Errno e = Do("list " + path, () => _real.List(path, out found));
        names = found;
        return e;
    }

    private static string FdPath(SafeFd fd)
    {
        try
        {
            return new FileInfo("/proc/self/fd/" + fd.Fd).LinkTarget ?? "?";
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private Errno Do(string what, Func<Errno> call)
    {
        bool counted = Only is null || what.StartsWith(Only, StringComparison.Ordinal);
        if (Crashed)
        {
            Log.Add("(dead) " + what);
            return FailWith;
        }

        if (counted)
        {
            int index = Calls++;
            if (index == FailAt)
            {
                Log.Add("FAIL " + what);
                Crashed = Crash;
                return FailWith;
            }
        }

        Log.Add(what);
        return call();
    }
}
