// chroot and chdir: the first two steps of a role's privilege drop.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "chroot", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Chroot(string path);

    [LibraryImport(Name, EntryPoint = "chdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Chdir(string path);
}
