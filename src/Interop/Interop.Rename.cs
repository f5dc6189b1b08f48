// rename and renameat2: the spool's commit step. Tmds.LibC binds link, linkat, unlink and
// rmdir, but neither of these.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Rename(string oldPath, string newPath);

    /// <summary>renameat2(2); with RENAME_NOREPLACE it fails with EEXIST instead of replacing the target.</summary>
    [LibraryImport(Name, EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int RenameAt2(int oldDirFd, string oldPath, int newDirFd, string newPath, uint flags);

    internal const uint RENAME_NOREPLACE = 1;
}
