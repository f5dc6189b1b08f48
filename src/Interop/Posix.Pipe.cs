// Pipes and anonymous in-memory files, both close-on-exec (a spawned child gets them only where
// Spawn places them).
namespace Smtpd.Interop;

internal static partial class Posix
{
    /// <summary>pipe2(O_CLOEXEC): the read end, then the write end.</summary>
    public static unsafe (SafeFd Read, SafeFd Write) Pipe()
    {
        int* fds = stackalloc int[2];
        if (Libc.Pipe2(fds, Libc.O_CLOEXEC) != 0)
        {
            PosixException.ThrowLast("pipe2");
        }

        return (new SafeFd(fds[0]), new SafeFd(fds[1]));
    }

    /// <summary>memfd_create(MFD_CLOEXEC): a file with no name anywhere, gone with its last descriptor.</summary>
    public static SafeFd AnonymousFile(string name)
    {
        int fd = Libc.MemfdCreate(name, Libc.MFD_CLOEXEC);
        if (fd < 0)
        {
            PosixException.ThrowLast("memfd_create");
        }

        return new SafeFd(fd);
    }
}
