// execve: the filter-process helper replaces itself with the filter's shell once it has become
// the filter's user.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "execve", SetLastError = true)]
    internal static unsafe partial int Execve(byte* path, byte** argv, byte** envp);
}
