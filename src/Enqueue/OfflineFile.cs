// A message sendmail leaves in the spool's offline/ directory while the daemon is down: the
// first line holds sendmail's arguments separated by "|", the rest is the input as read. The
// daemon sends it at its next start (OfflineImport), running sendmail again as the file's owner.
// The file is created new (O_EXCL, never through a link), mode 0600, while a setgid smtpctl
// still has the queue group that may write in offline/ (0770 root:_smtpq); it stays locked
// (flock) until it is complete, so the daemon never sends half a message, and a file the
// daemon removed meanwhile is reported instead of being counted as queued.
// Behaviour reference: usr.sbin/smtpd/smtpctl.c offline_file(), enqueue.c enqueue_offline().
using System.Text;
using Smtpd.Interop;

namespace Smtpd.Enqueue;

internal sealed class OfflineFile : IDisposable
{
    private readonly SafeFd _fd;

    private OfflineFile(SafeFd fd, string path)
    {
        _fd = fd;
        Path = path;
    }

    public string Path { get; }

    /// <summary>A new, locked, empty file in <paramref name="directory"/>, or why there is none.</summary>
    public static (OfflineFile? File, string? Error) Create(string directory)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            string name = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{Random.Shared.NextInt64(1L << 40):x10}");
            string path = System.IO.Path.Combine(directory, name);
            Errno e = Posix.TryCreateExclusive(path, 0b110_000_000, out var fd);
            if (e == Errno.EEXIST)
            {
                continue;
            }

            if (e != Errno.None)
            {
                return (null, $"{path}: {Posix.StrError(e)}");
            }

            // The daemon takes only files of the directory's group: a setgid smtpctl's are; root's
            // (or a member's of that group) are given it.
            if (Posix.TryLStat(directory) is { } dir && Posix.TryStatus(fd!, out var st) == Errno.None && st.Gid != dir.Gid)
            {
                _ = Posix.TryChangeGroup(fd!, dir.Gid);
            }

            if (!Posix.TryFlock(fd!, exclusive: true, wait: true, out e))
            {
                fd!.Dispose();
                return (null, $"{path}: flock: {Posix.StrError(e)}");
            }

            return (new OfflineFile(fd!, path), null);
        }

        return (null, $"{directory}: no free file name");
    }

    /// <summary>Writes the arguments line and the message, flushed to disk; null, or what went wrong (the file is then emptied).</summary>
    public string? Write(IReadOnlyList<string> args, byte[] message)
    {
        byte[] header = Encoding.UTF8.GetBytes(string.Join('|', args) + "\n");
        Errno e = Posix.TryWriteAll(_fd, header);
        if (e == Errno.None)
        {
            e = Posix.TryWriteAll(_fd, message);
        }

        if (e == Errno.None)
        {
            e = Posix.TryFsync(_fd);
        }

        if (e == Errno.None && Posix.TryStatus(_fd, out var st) == Errno.None && st.Nlink == 0)
        {
            return $"{Path} was removed before it was complete";
        }

        if (e != Errno.None)
        {
            _ = Posix.TryTruncate(_fd, 0);
            return $"{Path}: {Posix.StrError(e)}";
        }

        return null;
    }

    public void Dispose() => _fd.Dispose();
}
