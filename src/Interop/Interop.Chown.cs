// chown and chmod by path: the spool's ownership when smtpd creates it as root.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int LChown(string path, uint owner, uint group);

    [LibraryImport(Name, EntryPoint = "chmod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Chmod(string path, uint mode);

    [LibraryImport(Name, EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Mkdir(string path, uint mode);
}
