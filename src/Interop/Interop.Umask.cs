// umask: file creation mask (the spool must never be created group/world readable).
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "umask")]
    internal static partial uint Umask(uint mask);
}
