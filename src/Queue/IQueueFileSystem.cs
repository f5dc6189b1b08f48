// The few file-system calls the spool is made of, behind an interface so tests can fail any
// one of them (ENOSPC, EIO, a "crash" after the n-th call) without a real full disk.
// Every method reports errno; none throws for an environment error.
using Smtpd.Interop;

namespace Smtpd.Queue;

internal interface IQueueFileSystem
{
    Errno Mkdir(string path, uint mode);

    Errno Rename(string from, string to);

    /// <summary>rename(2) that never replaces: EEXIST when <paramref name="to"/> exists.</summary>
    Errno RenameNoReplace(string from, string to);

    /// <summary>Hard link; EEXIST when <paramref name="to"/> exists (a collision-safe publish).</summary>
    Errno Link(string from, string to);

    Errno Unlink(string path);

    Errno Rmdir(string path);

    Errno OpenRead(string path, out SafeFd? fd);

    Errno CreateExclusive(string path, uint mode, out SafeFd? fd);

    /// <summary>Opens an existing regular file for reading and writing (a recycled one).</summary>
    Errno OpenReadWrite(string path, out SafeFd? fd);

    Errno Truncate(SafeFd fd, long length);

    /// <summary>truncate(2) by name.</summary>
    Errno Truncate(string path, long length);

    Errno Write(SafeFd fd, ReadOnlySpan<byte> data);

    Errno Read(SafeFd fd, Span<byte> buffer, out int count);

    Errno Seek(SafeFd fd, long offset);

    Errno Fsync(SafeFd fd);

    Errno FsyncDirectory(string path);

    Errno OpenDirectory(string path, out SafeFd? fd);

    /// <summary>syncfs(2): everything written on the filesystem holding <paramref name="dir"/> reaches the disk.</summary>
    Errno SyncFileSystem(SafeFd dir);

    /// <summary>lstat: a symbolic link is reported as itself.</summary>
    Errno Status(string path, out FileStatus status);

    /// <summary>The names in a directory, without "." and "..".</summary>
    Errno List(string path, out IReadOnlyList<string> names);
}
