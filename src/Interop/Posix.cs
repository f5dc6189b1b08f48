// The managed face of Interop/: typed results, SafeFd in and out, PosixException on failure.
// Nothing outside Interop/ calls libc directly. The raw calls are Tmds.LibC's (Tmds.Linux.LibC)
// where it binds them, else our own imports (Libc, LibCrypt, LibDb, LibSqlite). Both set the
// errno read back through Marshal.GetLastPInvokeError (LibcErrnoTests).
using System.Text;
using Tmds.Linux;

namespace Smtpd.Interop;

internal static partial class Posix
{
    public static uint GetUid() => LibC.getuid();

    public static uint GetEUid() => LibC.geteuid();

    public static uint GetGid() => LibC.getgid();

    public static uint GetEGid() => LibC.getegid();

    public static int GetPid() => LibC.getpid();

    public static int GetPPid() => LibC.getppid();

    public static bool IsRoot => LibC.geteuid() == 0;

    public static unsafe (SafeFd A, SafeFd B) SocketPair()
    {
        int* sv = stackalloc int[2];
        if (LibC.socketpair(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0, sv) != 0)
        {
            PosixException.ThrowLast("socketpair");
        }

        return (new SafeFd(sv[0]), new SafeFd(sv[1]));
    }

    public static void Shutdown(SafeFd fd)
    {
        // ENOTCONN after the peer vanished is fine: the point is to wake our own reader.
        _ = LibC.shutdown(fd.Fd, LibC.SHUT_RDWR);
    }

    public static void SetCloseOnExec(SafeFd fd, bool on)
    {
        int flags = LibC.fcntl(fd.Fd, LibC.F_GETFD, 0);
        if (flags < 0)
        {
            PosixException.ThrowLast("fcntl");
        }

        flags = on ? flags | LibC.FD_CLOEXEC : flags & ~LibC.FD_CLOEXEC;
        if (LibC.fcntl(fd.Fd, LibC.F_SETFD, flags) < 0)
        {
            PosixException.ThrowLast("fcntl");
        }
    }

    public static bool IsCloseOnExec(SafeFd fd)
    {
        int flags = LibC.fcntl(fd.Fd, LibC.F_GETFD, 0);
        if (flags < 0)
        {
            PosixException.ThrowLast("fcntl");
        }

        return (flags & LibC.FD_CLOEXEC) != 0;
    }

    public static void SetNonBlocking(SafeFd fd, bool on)
    {
        int flags = LibC.fcntl(fd.Fd, LibC.F_GETFL, 0);
        if (flags < 0)
        {
            PosixException.ThrowLast("fcntl");
        }

        flags = on ? flags | LibC.O_NONBLOCK : flags & ~LibC.O_NONBLOCK;
        if (LibC.fcntl(fd.Fd, LibC.F_SETFL, flags) < 0)
        {
            PosixException.ThrowLast("fcntl");
        }
    }

    /// <summary>A close-on-exec duplicate at or above <paramref name="minFd"/>.</summary>
    public static SafeFd DupAbove(SafeFd fd, int minFd)
    {
        int n = LibC.fcntl(fd.Fd, LibC.F_DUPFD_CLOEXEC, minFd);
        if (n < 0)
        {
            PosixException.ThrowLast("fcntl(F_DUPFD_CLOEXEC)");
        }

        return new SafeFd(n);
    }

    public static void Dup2(SafeFd fd, int target)
    {
        if (LibC.dup2(fd.Fd, target) < 0)
        {
            PosixException.ThrowLast("dup2");
        }
    }

    public static SafeFd Open(string path, int flags, uint mode = 0)
    {
        if (TryOpen(path, flags, mode, out SafeFd? fd) is var e and not Errno.None)
        {
            throw new PosixException((int)e, "open " + path);
        }

        return fd!;
    }

    /// <summary>fsync that reports failure instead of throwing: a failed fsync is a tempfail, not a crash.</summary>
    public static Errno TryFsync(SafeFd fd) =>
        LibC.fsync(fd.Fd) == 0 ? Errno.None : LastErrno();

    public static Errno TryFdatasync(SafeFd fd) =>
        LibC.fdatasync(fd.Fd) == 0 ? Errno.None : LastErrno();

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
        LibC.syncfs(dir.Fd) == 0 ? Errno.None : LastErrno();

    public static bool TryFlock(SafeFd fd, bool exclusive, bool wait, out Errno error)
    {
        int op = (exclusive ? Libc.LOCK_EX : Libc.LOCK_SH) | (wait ? 0 : Libc.LOCK_NB);
        if (Libc.Flock(fd.Fd, op) == 0)
        {
            error = Errno.None;
            return true;
        }

        error = LastErrno();
        return false;
    }

    public static void Unlock(SafeFd fd) => _ = Libc.Flock(fd.Fd, Libc.LOCK_UN);

    public static uint Umask(uint mask) => (ushort)LibC.umask((ushort)mask);

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

    public static unsafe void Chroot(string path)
    {
        fixed (byte* p = CString.Of(path))
        {
            if (LibC.chroot(p) != 0)
            {
                PosixException.ThrowLast("chroot " + path);
            }
        }
    }

    public static unsafe void Chdir(string path)
    {
        fixed (byte* p = CString.Of(path))
        {
            if (LibC.chdir(p) != 0)
            {
                PosixException.ThrowLast("chdir " + path);
            }
        }
    }

    public static unsafe void SetGroups(ReadOnlySpan<uint> groups)
    {
        fixed (uint* p = groups)
        {
            if (LibC.setgroups(groups.Length, (gid_t*)p) != 0)
            {
                PosixException.ThrowLast("setgroups");
            }
        }
    }

    public static void SetResGid(uint gid) => SetResGid(gid, gid, gid);

    /// <summary>setresgid(2) with distinct real, effective and saved groups (a setgid program setting its group aside).</summary>
    public static void SetResGid(uint rgid, uint egid, uint sgid)
    {
        // glibc's setresuid/setresgid/setgroups apply to every thread of the process (it signals
        // each thread to change its credentials); the raw syscalls would not.
        if (LibC.setresgid(rgid, egid, sgid) != 0)
        {
            PosixException.ThrowLast("setresgid");
        }
    }

    public static void SetResUid(uint uid)
    {
        if (LibC.setresuid(uid, uid, uid) != 0)
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

    public static bool Kill(int pid, int signal) => LibC.kill(pid, signal) == 0;

    /// <summary>Sets <paramref name="signal"/> to SIG_IGN (kept across exec, unlike a handler).</summary>
    public static unsafe void IgnoreSignal(int signal) => _ = Libc.Signal(signal, LibC.SIG_IGN);

    /// <summary>Sets <paramref name="signal"/> back to SIG_DFL, whatever the process inherited.</summary>
    public static unsafe void DefaultSignal(int signal) => _ = Libc.Signal(signal, LibC.SIG_DFL);

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

            Errno e = LastErrno();
            if (r < 0 && e != Errno.EINTR)
            {
                throw new PosixException((int)e, "waitpid");
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

            Errno e = LastErrno();
            if (e != Errno.EINTR)
            {
                throw new PosixException((int)e, "waitpid");
            }
        }
    }
}
