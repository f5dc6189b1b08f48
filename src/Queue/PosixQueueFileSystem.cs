// The real file system under the queue: thin calls into Interop's non-throwing wrappers.
// Behaviour reference: usr.sbin/smtpd/queue_fs.c.
using Smtpd.Interop;

namespace Smtpd.Queue;

internal sealed class PosixQueueFileSystem : IQueueFileSystem
{
    public static readonly PosixQueueFileSystem Instance = new();

    public Errno Mkdir(string path, uint mode) => Posix.TryMkdir(path, mode);

    public Errno Rename(string from, string to) => Posix.TryRename(from, to);

    public Errno RenameNoReplace(string from, string to) => Posix.TryRenameNoReplace(from, to);

    public Errno Link(string from, string to) => Posix.TryLink(from, to);

    public Errno Unlink(string path) => Posix.TryUnlink(path);

    public Errno Rmdir(string path) => Posix.TryRmdir(path);

    public Errno OpenRead(string path, out SafeFd? fd) => Posix.TryOpenRead(path, out fd);

    public Errno CreateExclusive(string path, uint mode, out SafeFd? fd) => Posix.TryCreateExclusive(path, mode, out fd);

    public Errno OpenReadWrite(string path, out SafeFd? fd) => Posix.TryOpenReadWrite(path, out fd);

    public Errno Truncate(SafeFd fd, long length) => Posix.TryTruncate(fd, length);

    public Errno Truncate(string path, long length) => Posix.TryTruncate(path, length);

    public Errno Write(SafeFd fd, ReadOnlySpan<byte> data) => Posix.TryWriteAll(fd, data);

    public Errno Read(SafeFd fd, Span<byte> buffer, out int count) => Posix.TryRead(fd, buffer, out count);

    public Errno Seek(SafeFd fd, long offset) => Posix.TrySeek(fd, offset);

    public Errno Fsync(SafeFd fd) => Posix.TryFsync(fd);

    public Errno FsyncDirectory(string path) => Posix.TryFsyncDirectory(path);

    public Errno OpenDirectory(string path, out SafeFd? fd) => Posix.TryOpenDirectory(path, out fd);

    public Errno SyncFileSystem(SafeFd dir) => Posix.TrySyncFileSystem(dir);

    public Errno Status(string path, out FileStatus status) => Posix.TryStatus(path, out status);

    public Errno List(string path, out IReadOnlyList<string> names)
    {
        // The managed enumerator is enough here; its exceptions are mapped back to the errno
        // they stand for, so a listing failure is a temporary failure like any other.
        try
        {
            names = Directory.EnumerateFileSystemEntries(path).Select(p => Path.GetFileName(p)).ToList();
            return Errno.None;
        }
        catch (DirectoryNotFoundException)
        {
            names = [];
            return Errno.ENOENT;
        }
        catch (UnauthorizedAccessException)
        {
            names = [];
            return Errno.EACCES;
        }
        catch (IOException)
        {
            names = [];
            return Errno.EIO;
        }
    }
}
