// epoll wrappers: events and their 64-bit tags, whatever the architecture's struct layout.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Posix
{
    /// <summary>sizeof(struct epoll_event): packed on x86-64 only.</summary>
    public static readonly int EpollEventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    private static readonly int EpollDataOffset = EpollEventSize == 12 ? 4 : 8;

    public static SafeFd EpollCreate()
    {
        int fd = Libc.EpollCreate1(Libc.EPOLL_CLOEXEC);
        return fd >= 0 ? new SafeFd(fd) : throw new PosixException(Marshal.GetLastPInvokeError(), "epoll_create1");
    }

    /// <summary>epoll_ctl ADD, MOD or DEL of <paramref name="fd"/> with <paramref name="events"/> and a tag.</summary>
    public static unsafe Errno EpollCtl(SafeFd epoll, int op, int fd, uint events, ulong tag)
    {
        byte* ev = stackalloc byte[16];
        *(uint*)ev = events;
        *(ulong*)(ev + EpollDataOffset) = tag;
        return Libc.EpollCtl(epoll.Fd, op, fd, ev) == 0 ? Errno.None : LastErrno();
    }

    /// <summary>
    /// Waits for events, at most <paramref name="timeoutMs"/> (-1: no limit, 0: just look); fills
    /// (events, tag) pairs and returns how many, retrying EINTR.
    /// </summary>
    public static unsafe int EpollWait(SafeFd epoll, Span<byte> raw, Span<(uint Events, ulong Tag)> ready, int timeoutMs = -1)
    {
        int max = Math.Min(ready.Length, raw.Length / EpollEventSize);
        fixed (byte* p = raw)
        {
            int n;
            while ((n = Libc.EpollWait(epoll.Fd, p, max, timeoutMs)) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno != (int)Errno.EINTR)
                {
                    throw new PosixException(errno, "epoll_wait");
                }
            }

            for (int i = 0; i < n; i++)
            {
                byte* ev = p + (i * EpollEventSize);
                ready[i] = (*(uint*)ev, *(ulong*)(ev + EpollDataOffset));
            }

            return n;
        }
    }

    /// <summary>A non-blocking eventfd, its counter at zero.</summary>
    public static SafeFd EventFdCreate()
    {
        int fd = Libc.EventFd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        return fd >= 0 ? new SafeFd(fd) : throw new PosixException(Marshal.GetLastPInvokeError(), "eventfd");
    }

    /// <summary>Adds one to the counter: the eventfd becomes readable.</summary>
    public static unsafe void EventFdSignal(SafeFd fd)
    {
        ulong one = 1;

        // EAGAIN only when the counter is about to overflow: it is readable anyway.
        _ = Libc.Write(fd.Fd, (byte*)&one, sizeof(ulong));
    }

    /// <summary>Resets the counter to zero (nothing to do when it already was).</summary>
    public static unsafe void EventFdDrain(SafeFd fd)
    {
        ulong count;
        _ = Libc.Read(fd.Fd, (byte*)&count, sizeof(ulong));
    }
}
