// socket, bind and listen for a UNIX-domain listening socket made without .NET's Socket, whose
// Dispose unlinks the path it bound: the parent binds the enqueue socket and hands it on, and
// the file must outlive the parent's copy. And fchown for sendmail's offline file.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Libc
{
    /// <summary>sizeof(struct sockaddr_un): sa_family_t then a 108-byte path.</summary>
    internal const int SockaddrUnSize = 110;

    [LibraryImport(Name, EntryPoint = "socket", SetLastError = true)]
    internal static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Name, EntryPoint = "bind", SetLastError = true)]
    internal static unsafe partial int Bind(int fd, byte* addr, uint len);

    [LibraryImport(Name, EntryPoint = "listen", SetLastError = true)]
    internal static partial int Listen(int fd, int backlog);
}

internal static partial class Posix
{
    /// <summary>A listening UNIX-domain stream socket bound at <paramref name="path"/> (which must not exist).</summary>
    public static unsafe SafeFd ListenUnix(string path, int backlog)
    {
        byte[] name = System.Text.Encoding.UTF8.GetBytes(path);
        if (name.Length >= Libc.SockaddrUnSize - 2)
        {
            throw new PosixException((int)Errno.ENAMETOOLONG, "bind " + path);
        }

        int fd = Libc.Socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            PosixException.ThrowLast("socket");
        }

        var handle = new SafeFd(fd);
        byte* addr = stackalloc byte[Libc.SockaddrUnSize];
        new Span<byte>(addr, Libc.SockaddrUnSize).Clear();
        *(ushort*)addr = Libc.AF_UNIX;
        name.CopyTo(new Span<byte>(addr + 2, name.Length));
        if (Libc.Bind(fd, addr, (uint)(2 + name.Length + 1)) != 0)
        {
            var e = LastErrno();
            handle.Dispose();
            throw new PosixException((int)e, "bind " + path);
        }

        if (Libc.Listen(fd, backlog) != 0)
        {
            var e = LastErrno();
            handle.Dispose();
            throw new PosixException((int)e, "listen " + path);
        }

        return handle;
    }
}

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "fchown", SetLastError = true)]
    internal static partial int FChown(int fd, uint owner, uint group);
}

internal static partial class Posix
{
    /// <summary>fchown(2) of the group only.</summary>
    public static Errno TryChangeGroup(SafeFd fd, uint gid) =>
        Libc.FChown(fd.Fd, uint.MaxValue, gid) == 0 ? Errno.None : LastErrno();
}
