// statx: file owner, mode and link count, with one layout on every architecture (unlike struct stat).
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Libc
{
    internal const int AT_FDCWD = -100;
    internal const int AT_SYMLINK_NOFOLLOW = 0x100;
    internal const uint STATX_BASIC_STATS = 0x7ff;

    [StructLayout(LayoutKind.Sequential, Size = 256)]
    internal struct Statx
    {
        public uint Mask;
        public uint BlkSize;
        public ulong Attributes;
        public uint Nlink;
        public uint Uid;
        public uint Gid;
        public ushort Mode;
        public ushort Pad;
        public ulong Ino;
        public ulong Size;
    }

    [LibraryImport(Name, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int StatX(int dirfd, string path, int flags, uint mask, Statx* buf);
}
