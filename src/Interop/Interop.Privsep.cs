// The calls privilege separation needs beyond the basic set: opening and fixing up a file by
// descriptor below a directory descriptor (openat, fchmod), reading back every id a process has
// (getresuid, getresgid, getgroups) to check a drop really happened, and process descriptors
// (pidfd_open, pidfd_send_signal; by syscall number, which is the same on every Linux
// architecture for these, so older C libraries without the wrappers work too).
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Libc
{
    internal const long SYS_pidfd_send_signal = 424;
    internal const long SYS_pidfd_open = 434;

    [LibraryImport(Name, EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int OpenAt(int dirfd, string path, int flags, uint mode);

    [LibraryImport(Name, EntryPoint = "fchmod", SetLastError = true)]
    internal static partial int FChmod(int fd, uint mode);

    [LibraryImport(Name, EntryPoint = "getresuid", SetLastError = true)]
    internal static unsafe partial int GetResUid(uint* ruid, uint* euid, uint* suid);

    [LibraryImport(Name, EntryPoint = "getresgid", SetLastError = true)]
    internal static unsafe partial int GetResGid(uint* rgid, uint* egid, uint* sgid);

    [LibraryImport(Name, EntryPoint = "getgroups", SetLastError = true)]
    internal static unsafe partial int GetGroups(int size, uint* list);

    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    internal static partial long Syscall(long number, long a, long b, long c, long d);
}
