// The safe face of statvfs: bytes and inodes an unprivileged writer may still use.
namespace Smtpd.Interop;

internal static partial class Posix
{
    /// <summary>Room left on the file system holding <paramref name="path"/> for a non-root writer.</summary>
    public static unsafe (ulong AvailableBytes, ulong AvailableInodes) FileSystemSpace(string path)
    {
        Libc.StatVfs st;
        if (Libc.StatVfsPath(path, &st) != 0)
        {
            PosixException.ThrowLast("statvfs " + path);
        }

        ulong unit = st.FragmentSize != 0 ? st.FragmentSize : st.BlockSize;
        return (st.BlocksAvailable * unit, st.FilesAvailable);
    }
}
