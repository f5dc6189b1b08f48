// read, write, lseek: plain descriptor I/O whose errno (ENOSPC, EIO) the queue must see as-is.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Libc
{
    internal const int SEEK_SET = 0;
    internal const int SEEK_END = 2;

    [LibraryImport(Name, EntryPoint = "read", SetLastError = true)]
    internal static unsafe partial nint Read(int fd, byte* buf, nuint count);

    [LibraryImport(Name, EntryPoint = "write", SetLastError = true)]
    internal static unsafe partial nint Write(int fd, byte* buf, nuint count);

    [LibraryImport(Name, EntryPoint = "lseek", SetLastError = true)]
    internal static partial long LSeek(int fd, long offset, int whence);

    [LibraryImport(Name, EntryPoint = "ftruncate", SetLastError = true)]
    internal static partial int Ftruncate(int fd, long length);

    [LibraryImport(Name, EntryPoint = "truncate", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int TruncatePath(string path, long length);
}
