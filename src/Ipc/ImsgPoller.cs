// One thread per process waits on every IPC socket with epoll and runs the ready channels' I/O:
// reads are framed and handed to the channels' inbound queues, queued output is written once
// the socket has room again. Before this, each channel had a reader and a writer thread of its
// own (twelve threads in the control process alone), which cost memory in every idle process
// and a thread switch per message sent. Sends themselves happen on the sender's thread.
using System.Collections.Concurrent;
using Smtpd.Interop;

namespace Smtpd.Ipc;

internal sealed class ImsgPoller
{
    private const int MaxEvents = 64;
    private static readonly object CreateLock = new();
    private static ImsgPoller? s_shared;

    private readonly SafeFd _epoll;
    private readonly ConcurrentDictionary<ulong, ImsgChannel> _channels = new();
    private long _nextTag;

    private ImsgPoller()
    {
        _epoll = Posix.EpollCreate();
        new Thread(Loop) { IsBackground = true, Name = "imsg-poll" }.Start();
    }

    /// <summary>The process's poller, started on first use.</summary>
    public static ImsgPoller Shared
    {
        get
        {
            lock (CreateLock)
            {
                return s_shared ??= new ImsgPoller();
            }
        }
    }

    /// <summary>A tag for <paramref name="channel"/>: how its events are recognised until Forget.</summary>
    public ulong NewTag(ImsgChannel channel)
    {
        ulong tag = (ulong)Interlocked.Increment(ref _nextTag);
        _channels[tag] = channel;
        return tag;
    }

    /// <summary>epoll_ctl ADD (first time, or after Unwatch) or MOD with the events wanted.</summary>
    public void Watch(ulong tag, SafeFd socket, uint events, bool add)
    {
        Errno e = Posix.EpollCtl(_epoll, add ? Libc.EPOLL_CTL_ADD : Libc.EPOLL_CTL_MOD, socket.Fd, events, tag);
        if (e != Errno.None)
        {
            throw new PosixException((int)e, "epoll_ctl");
        }
    }

    /// <summary>
    /// Takes the socket out of the epoll set. Needed even to pause it: epoll reports a hang-up
    /// whatever events were asked for, so a paused socket left in the set could spin this thread.
    /// </summary>
    public void Unwatch(SafeFd socket) =>
        _ = Posix.EpollCtl(_epoll, Libc.EPOLL_CTL_DEL, socket.Fd, 0, 0);

    /// <summary>Events still in flight for the tag are dropped from now on.</summary>
    public void Forget(ulong tag) => _channels.TryRemove(tag, out _);

    private void Loop()
    {
        byte[] raw = new byte[MaxEvents * Posix.EpollEventSize];
        var ready = new (uint Events, ulong Tag)[MaxEvents];
        while (true)
        {
            int n = Posix.EpollWait(_epoll, raw, ready);
            for (int i = 0; i < n; i++)
            {
                if (_channels.TryGetValue(ready[i].Tag, out var channel))
                {
                    channel.OnReady(ready[i].Events);
                }
            }
        }
    }
}
