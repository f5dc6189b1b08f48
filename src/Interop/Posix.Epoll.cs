// epoll wrappers: events and their 64-bit tags. struct epoll_event is Tmds.LibC's, packed on
// x86-64 (12 bytes) and naturally aligned on arm64 (16), the package built per architecture.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Tmds.Linux;

namespace Smtpd.Interop;

internal static partial class Posix
{
    /// <summary>sizeof(struct epoll_event) on this architecture: callers size raw event buffers with it.</summary>
    public static readonly int EpollEventSize = Unsafe.SizeOf<epoll_event>();

    public static SafeFd EpollCreate()
    {
        int fd = LibC.epoll_create1(LibC.EPOLL_CLOEXEC);
        return fd >= 0 ? new SafeFd(fd) : throw new PosixException(Marshal.GetLastPInvokeError(), "epoll_create1");
    }

    /// <summary>epoll_ctl ADD, MOD or DEL of <paramref name="fd"/> with <paramref name="events"/> and a tag.</summary>
    public static unsafe Errno EpollCtl(SafeFd epoll, int op, int fd, uint events, ulong tag)
    {
        epoll_event ev = default;
        ev.events = unchecked((int)events);
        ev.data.u64 = tag;
        return LibC.epoll_ctl(epoll.Fd, op, fd, &ev) == 0 ? Errno.None : LastErrno();
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
            var events = (epoll_event*)p;
            int n;
            while ((n = LibC.epoll_wait(epoll.Fd, events, max, timeoutMs)) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno != (int)Errno.EINTR)
                {
                    throw new PosixException(errno, "epoll_wait");
                }
            }

            for (int i = 0; i < n; i++)
            {
                ready[i] = (unchecked((uint)events[i].events), events[i].data.u64);
            }

            return n;
        }
    }

    /// <summary>A non-blocking eventfd, its counter at zero.</summary>
    public static SafeFd EventFdCreate()
    {
        int fd = LibC.eventfd(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK);
        return fd >= 0 ? new SafeFd(fd) : throw new PosixException(Marshal.GetLastPInvokeError(), "eventfd");
    }

    /// <summary>Adds one to the counter: the eventfd becomes readable.</summary>
    public static unsafe void EventFdSignal(SafeFd fd)
    {
        ulong one = 1;

        // EAGAIN only when the counter is about to overflow: it is readable anyway.
        _ = LibC.write(fd.Fd, &one, sizeof(ulong));
    }

    /// <summary>Resets the counter to zero (nothing to do when it already was).</summary>
    public static unsafe void EventFdDrain(SafeFd fd)
    {
        ulong count;
        _ = LibC.read(fd.Fd, &count, sizeof(ulong));
    }
}
