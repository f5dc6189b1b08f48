// A UNIX-domain listening socket made without .NET's Socket, whose Dispose unlinks the path it
// bound: the parent binds the enqueue socket and hands it on, and the file must outlive the
// parent's copy. And fchown for sendmail's offline file. socket, bind, listen, fchown and
// struct sockaddr_un are Tmds.LibC's.
using Tmds.Linux;

namespace Smtpd.Interop;

internal static partial class Posix
{
    /// <summary>A listening UNIX-domain stream socket bound at <paramref name="path"/> (which must not exist).</summary>
    public static unsafe SafeFd ListenUnix(string path, int backlog)
    {
        byte[] name = System.Text.Encoding.UTF8.GetBytes(path);
        sockaddr_un addr = default;
        if (name.Length >= sockaddr_un.sun_path_length)
        {
            throw new PosixException((int)Errno.ENAMETOOLONG, "bind " + path);
        }

        int fd = LibC.socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            PosixException.ThrowLast("socket");
        }

        var handle = new SafeFd(fd);
        addr.sun_family = LibC.AF_UNIX;
        name.CopyTo(new Span<byte>(addr.sun_path, sockaddr_un.sun_path_length));
        if (LibC.bind(fd, (sockaddr*)&addr, (uint)(sockaddr_un.sun_path_offset + name.Length + 1)) != 0)
        {
            var e = LastErrno();
            handle.Dispose();
            throw new PosixException((int)e, "bind " + path);
        }

        if (LibC.listen(fd, backlog) != 0)
        {
            var e = LastErrno();
            handle.Dispose();
            throw new PosixException((int)e, "listen " + path);
        }

        return handle;
    }

    /// <summary>fchown(2) of the group only.</summary>
    public static Errno TryChangeGroup(SafeFd fd, uint gid) =>
        LibC.fchown(fd.Fd, uint.MaxValue, gid) == 0 ? Errno.None : LastErrno();
}
