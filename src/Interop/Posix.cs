// The managed face of Interop/: typed results, SafeFd in and out, PosixException on failure.
// Nothing outside Interop/ calls Libc directly.
using System.Runtime.InteropServices;
using System.Text;

namespace Smtpd.Interop;

internal static partial class Posix
{
    public static uint GetUid() => Libc.GetUid();

    public static uint GetEUid() => Libc.GetEUid();

    public static uint GetGid() => Libc.GetGid();

    public static uint GetEGid() => Libc.GetEGid();

    public static int GetPid() => Libc.GetPid();

    public static int GetPPid() => Libc.GetPPid();

    public static bool IsRoot => Libc.GetEUid() == 0;

    public static unsafe (SafeFd A, SafeFd B) SocketPair()
    {
        int* sv = stackalloc int[2];
        if (Libc.SocketPair(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0, sv) != 0)
        {
            PosixException.ThrowLast("socketpair");
        }

        return (new SafeFd(sv[0]), new SafeFd(sv[1]));
    }

    public static void Shutdown(SafeFd fd)
    {
        // ENOTCONN after the peer vanished is fine: the point is to wake our own reader.
        _ = Libc.Shutdown(fd.Fd, Libc.SHUT_RDWR);
    }

    public static void SetCloseOnExec(SafeFd fd, bool on)
    {
        int flags = Libc.Fcntl(fd.Fd, Libc.F_GETFD, 0);
        if (flags < 0)
        {
            PosixException.ThrowLast("fcntl");
        }

        flags = on ? flags | Libc.FD_CLOEXEC : flags & ~Libc.FD_CLOEXEC;
        if (Libc.Fcntl(fd.Fd, Libc.F_SETFD, flags) < 0)
        {
            PosixException.ThrowLast("fcntl");
        }
    }

    public static bool IsCloseOnExec(SafeFd fd)
    {
        int flags = Libc.Fcntl(fd.Fd, Libc.F_GETFD, 0);
        if (flags < 0)
        {
            PosixException.ThrowLast("fcntl");
        }

        return (flags & Libc.FD_CLOEXEC) != 0;
    }

    public static void SetNonBlocking(SafeFd fd, bool on)
    {
        int flags = Libc.Fcntl(fd.Fd, Libc.F_GETFL, 0);
        if (flags < 0)
        {
            PosixException.ThrowLast("fcntl");
        }

        flags = on ? flags | Libc.O_NONBLOCK : flags & ~Libc.O_NONBLOCK;
        if (Libc.Fcntl(fd.Fd, Libc.F_SETFL, flags) < 0)
        {
            PosixException.ThrowLast("fcntl");
        }
    }

    /// <summary>A close-on-exec duplicate at or above <paramref name="minFd"/>.</summary>
    public static SafeFd DupAbove(SafeFd fd, int minFd)
    {
        int n = Libc.Fcntl(fd.Fd, Libc.F_DUPFD_CLOEXEC, minFd);
        if (n < 0)
        {
            PosixException.ThrowLast("fcntl(F_DUPFD_CLOEXEC)");
        }

        return new SafeFd(n);
    }

    public static void Dup2(SafeFd fd, int target)
    {
        if (Libc.Dup2(fd.Fd, target) < 0)
        {
            PosixException.ThrowLast("dup2");
        }
    }

    public static SafeFd Open(string path, int flags, uint mode = 0)
    {
        int fd = Libc.Open(path, flags | Libc.O_CLOEXEC, mode);
        if (fd < 0)
        {
            PosixException.ThrowLast("open " + path);
        }

        return new SafeFd(fd);
    }

    /// <summary>fsync that reports failure instead of throwing: a failed fsync is a tempfail, not a crash.</summary>
    public static Errno TryFsync(SafeFd fd) =>
        Libc.Fsync(fd.Fd) == 0 ? Errno.None : (Errno)Marshal.GetLastPInvokeError();

    public static Errno TryFdatasync(SafeFd fd) =>
        Libc.Fdatasync(fd.Fd) == 0 ? Errno.None : (Errno)Marshal.GetLastPInvokeError();

    /// <summary>Opens a directory and fsyncs it, so the renames inside it survive a power cut.</summary>
    public static Errno TryFsyncDirectory(string path)
    {
        Errno e = TryOpenDirectory(path, out SafeFd? dir);
        if (e != Errno.None)
        {
            return e;
        }

        using (dir)
        {
            return TryFsync(dir!);
        }
    }

    /// <summary>
    /// syncfs(2) of the filesystem holding <paramref name="dir"/>: one writeback and one cache
    /// flush for everything on it. Since Linux 5.8 it also reports writeback errors seen since the
    /// descriptor was opened, so the directory is opened before the writes it must cover.
    /// </summary>
    public static Errno TrySyncFileSystem(SafeFd dir) =>
        Libc.Syncfs(dir.Fd) == 0 ? Errno.None : (Errno)Marshal.GetLastPInvokeError();

    public static bool TryFlock(SafeFd fd, bool exclusive, bool wait, out Errno error)
    {
        int op = (exclusive ? Libc.LOCK_EX : Libc.LOCK_SH) | (wait ? 0 : Libc.LOCK_NB);
        if (Libc.Flock(fd.Fd, op) == 0)
        {
            error = Errno.None;
            return true;
        }

        error = (Errno)Marshal.GetLastPInvokeError();
        return false;
    }

    public static void Unlock(SafeFd fd) => _ = Libc.Flock(fd.Fd, Libc.LOCK_UN);

    public static uint Umask(uint mask) => Libc.Umask(mask);

    public static unsafe (ulong Soft, ulong Hard) GetOpenFilesLimit()
    {
        Libc.RLimit rl;
        if (Libc.GetRLimit(Libc.RLIMIT_NOFILE, &rl) != 0)
        {
            PosixException.ThrowLast("getrlimit");
        }

        return (rl.Cur, rl.Max);
    }

    /// <summary>Raises the soft descriptor limit to the hard one, as OpenSMTPD does at start.</summary>
    public static unsafe ulong RaiseOpenFilesLimit()
    {
        Libc.RLimit rl;
        if (Libc.GetRLimit(Libc.RLIMIT_NOFILE, &rl) != 0)
        {
            PosixException.ThrowLast("getrlimit");
        }

        rl.Cur = rl.Max;
        if (Libc.SetRLimit(Libc.RLIMIT_NOFILE, &rl) != 0)
        {
            PosixException.ThrowLast("setrlimit");
        }

        return rl.Cur;
    }

    public static void Chroot(string path)
    {
        if (Libc.Chroot(path) != 0)
        {
            PosixException.ThrowLast("chroot " + path);
        }
    }

    public static void Chdir(string path)
    {
        if (Libc.Chdir(path) != 0)
        {
            PosixException.ThrowLast("chdir " + path);
        }
    }

    public static unsafe void SetGroups(ReadOnlySpan<uint> groups)
    {
        fixed (uint* p = groups)
        {
            if (Libc.SetGroups((nuint)groups.Length, p) != 0)
            {
                PosixException.ThrowLast("setgroups");
            }
        }
    }

    public static void SetResGid(uint gid)
    {
        if (Libc.SetResGid(gid, gid, gid) != 0)
        {
            PosixException.ThrowLast("setresgid");
        }
    }

    /// <summary>setresgid(2) with distinct real, effective and saved groups (a setgid program setting its group aside).</summary>
    public static void SetResGid(uint rgid, uint egid, uint sgid)
    {
        if (Libc.SetResGid(rgid, egid, sgid) != 0)
        {
            PosixException.ThrowLast("setresgid");
        }
    }

    public static void SetResUid(uint uid)
    {
        if (Libc.SetResUid(uid, uid, uid) != 0)
        {
            PosixException.ThrowLast("setresuid");
        }
    }

    public static void SetNoNewPrivs()
    {
        if (Libc.Prctl(Libc.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        {
            PosixException.ThrowLast("prctl(PR_SET_NO_NEW_PRIVS)");
        }
    }

    /// <summary>Sets the kernel's 15-byte thread name (ps -o comm, top).</summary>
    public static unsafe void SetThreadName(string name)
    {
        byte* buf = stackalloc byte[16];
        int n = Encoding.UTF8.GetBytes(name.AsSpan(0, Math.Min(name.Length, 15)), new Span<byte>(buf, 15));
        buf[n] = 0;
        _ = Libc.Prctl(Libc.PR_SET_NAME, (nuint)buf, 0, 0, 0);
    }

    public static bool Kill(int pid, int signal) => Libc.Kill(pid, signal) == 0;

    /// <summary>Sets <paramref name="signal"/> to SIG_IGN (kept across exec, unlike a handler).</summary>
    public static void IgnoreSignal(int signal) => _ = Libc.Signal(signal, Libc.SIG_IGN);

    /// <summary>Sets <paramref name="signal"/> back to SIG_DFL, whatever the process inherited.</summary>
    public static void DefaultSignal(int signal) => _ = Libc.Signal(signal, Libc.SIG_DFL);

    /// <summary>Blocking wait for one child; returns its raw wait status.</summary>
    public static unsafe int WaitPid(int pid)
    {
        int status;
        while (true)
        {
            int r = Libc.WaitPid(pid, &status, 0);
            if (r == pid)
            {
                return status;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (r < 0 && errno != (int)Errno.EINTR)
            {
                throw new PosixException(errno, "waitpid");
            }
        }
    }

    /// <summary>Non-blocking wait for one child: its raw status if it has exited, else null.</summary>
    public static unsafe int? TryWaitPid(int pid)
    {
        int status;
        return Libc.WaitPid(pid, &status, Libc.WNOHANG) == pid ? status : null;
    }

    /// <summary>Blocking wait for any child: its pid and raw status; ECHILD when there is none.</summary>
    public static unsafe (int Pid, int Status) WaitAny()
    {
        int status;
        while (true)
        {
            int r = Libc.WaitPid(-1, &status, 0);
            if (r > 0)
            {
                return (r, status);
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != (int)Errno.EINTR)
            {
                throw new PosixException(errno, "waitpid");
            }
        }
    }
}
