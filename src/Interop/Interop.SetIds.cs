// Identity calls. glibc's setresuid/setresgid/setgroups apply to every thread of the process
// (it signals each thread to change its credentials); the raw syscalls would not, which matters
// in a multi-threaded runtime.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "setgroups", SetLastError = true)]
    internal static unsafe partial int SetGroups(nuint size, uint* list);

    [LibraryImport(Name, EntryPoint = "setresuid", SetLastError = true)]
    internal static partial int SetResUid(uint ruid, uint euid, uint suid);

    [LibraryImport(Name, EntryPoint = "setresgid", SetLastError = true)]
    internal static partial int SetResGid(uint rgid, uint egid, uint sgid);

    [LibraryImport(Name, EntryPoint = "getuid")]
    internal static partial uint GetUid();

    [LibraryImport(Name, EntryPoint = "geteuid")]
    internal static partial uint GetEUid();

    [LibraryImport(Name, EntryPoint = "getgid")]
    internal static partial uint GetGid();

    [LibraryImport(Name, EntryPoint = "getegid")]
    internal static partial uint GetEGid();
}
