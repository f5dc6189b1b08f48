// fsync/fdatasync/syncfs: the durability calls behind "on disk before 250".
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "fsync", SetLastError = true)]
    internal static partial int Fsync(int fd);

    [LibraryImport(Name, EntryPoint = "fdatasync", SetLastError = true)]
    internal static partial int Fdatasync(int fd);

    /// <summary>Writes out everything dirty on the filesystem holding fd, then flushes the disk cache.</summary>
    [LibraryImport(Name, EntryPoint = "syncfs", SetLastError = true)]
    internal static partial int Syncfs(int fd);

    [LibraryImport(Name, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags, uint mode);

    internal const int O_RDONLY = 0;
    internal const int O_WRONLY = 1;
    internal const int O_RDWR = 2;
    internal const int O_CREAT = 0x40;
    internal const int O_EXCL = 0x80;
    internal const int O_TRUNC = 0x200;
    internal const int O_APPEND = 0x400;
    internal const int O_DIRECTORY = 0x10000;
    internal const int O_NOFOLLOW = 0x20000;
    internal const int O_CLOEXEC = 0x80000;

    // __O_TMPFILE | O_DIRECTORY: an unnamed file in the directory given.
    internal const int O_TMPFILE = 0x410000;
}
