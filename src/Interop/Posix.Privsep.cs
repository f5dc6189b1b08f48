// Wrappers for Interop.Privsep.cs: what the parent and the delivery helpers use to create a file
// by descriptor, to check the ids a process ended up with, and to signal a child through a
// process descriptor (never by a pid that may have been reaped and handed to someone else).
namespace Smtpd.Interop;

internal static partial class Posix
{
    /// <summary>openat(2) below <paramref name="dir"/>, close-on-exec.</summary>
    public static Errno TryOpenAt(SafeFd dir, string name, int flags, uint mode, out SafeFd? fd)
    {
        int n = Libc.OpenAt(dir.Fd, name, flags | Libc.O_CLOEXEC, mode);
        if (n < 0)
        {
            fd = null;
            return LastErrno();
        }

        fd = new SafeFd(n);
        return Errno.None;
    }

    /// <summary>fchown(2): the owner of the open file itself, whatever its name points at by now.</summary>
    public static Errno TryFChown(SafeFd fd, uint uid, uint gid) =>
        Tmds.Linux.LibC.fchown(fd.Fd, uid, gid) == 0 ? Errno.None : LastErrno();

    /// <summary>fchmod(2).</summary>
    public static Errno TryFChmod(SafeFd fd, uint mode) =>
        Libc.FChmod(fd.Fd, mode) == 0 ? Errno.None : LastErrno();

    /// <summary>Real, effective and saved user ids.</summary>
    public static unsafe (uint Real, uint Effective, uint Saved) GetResUid()
    {
        uint r, e, s;
        if (Libc.GetResUid(&r, &e, &s) != 0)
        {
            PosixException.ThrowLast("getresuid");
        }

        return (r, e, s);
    }

    /// <summary>Real, effective and saved group ids.</summary>
    public static unsafe (uint Real, uint Effective, uint Saved) GetResGid()
    {
        uint r, e, s;
        if (Libc.GetResGid(&r, &e, &s) != 0)
        {
            PosixException.ThrowLast("getresgid");
        }

        return (r, e, s);
    }

    /// <summary>The supplementary groups.</summary>
    public static unsafe uint[] GetGroups()
    {
        int n = Libc.GetGroups(0, null);
        if (n < 0)
        {
            PosixException.ThrowLast("getgroups");
        }

        var list = new uint[n];
        fixed (uint* p = list)
        {
            n = Libc.GetGroups(n, p);
        }

        if (n < 0)
        {
            PosixException.ThrowLast("getgroups");
        }

        return list[..n];
    }

    /// <summary>pidfd_open(2): a descriptor that names this one process for as long as it is open.</summary>
    public static Errno TryPidfdOpen(int pid, out SafeFd? fd)
    {
        long n = Libc.Syscall(Libc.SYS_pidfd_open, pid, 0, 0, 0);
        if (n < 0)
        {
            fd = null;
            return LastErrno();
        }

        fd = new SafeFd((int)n);
        SetCloseOnExec(fd, true);
        return Errno.None;
    }

    /// <summary>pidfd_send_signal(2): ESRCH once the process has exited, whoever has its pid now.</summary>
    public static Errno TryPidfdSignal(SafeFd pidfd, int signal) =>
        Libc.Syscall(Libc.SYS_pidfd_send_signal, pidfd.Fd, signal, 0, 0) == 0 ? Errno.None : LastErrno();
}
