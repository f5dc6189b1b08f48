// statvfs: how much room the spool's file system has left (the queue refuses new mail below a
// floor, as Postfix's queue_minfree). Tmds.LibC binds neither the call nor struct statvfs;
// glibc's layout on 64-bit Linux is eleven unsigned longs and six spare ints.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Libc
{
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct StatVfs
    {
        public ulong BlockSize;
        public ulong FragmentSize;
        public ulong Blocks;
        public ulong BlocksFree;
        public ulong BlocksAvailable;
        public ulong Files;
        public ulong FilesFree;
        public ulong FilesAvailable;
        public ulong FsId;
        public ulong Flag;
        public ulong NameMax;
        public fixed int Spare[6];
    }

    [LibraryImport(Name, EntryPoint = "statvfs", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static unsafe partial int StatVfsPath(string path, StatVfs* buf);
}
