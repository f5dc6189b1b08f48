// One epoll set per process waits on every IPC socket and runs the ready channels' I/O: reads
// are framed and handed to the channels' inbound queues, queued output is written once the
// socket has room again. In a role process the event loop itself waits in this epoll set when it
// has nothing to run (DriveFromCurrentThread), so a message from another process wakes one
// thread, the loop, and is read, framed and dispatched there. Elsewhere (smtpctl, or when a
// channel started before the loop) a thread of its own runs the set. Before the poller, each
// channel had a reader and a writer thread (twelve threads in the control process alone).
// Sends themselves happen on the sender's thread.
using System.Collections.Concurrent;
using Smtpd.Interop;

namespace Smtpd.Ipc;

internal sealed class ImsgPoller
{
    private const int MaxEvents = 64;
    private static readonly object CreateLock = new();
    private static ImsgPoller? s_shared;

    // The tag of the loop's wake-up eventfd; channels' tags start at 1.
    private const ulong WakeTag = 0;

    private readonly SafeFd _epoll;
    private readonly ConcurrentDictionary<ulong, IPollTarget> _channels = new();
    private readonly SafeFd? _wake;
    private readonly byte[] _raw = new byte[MaxEvents * Posix.EpollEventSize];
    private readonly (uint Events, ulong Tag)[] _ready = new (uint Events, ulong Tag)[MaxEvents];
    private long _nextTag;

    // Driven mode: the thread that calls Poll, and the channels it queued output on this round.
    private int _driverThread;
    private readonly List<ImsgChannel> _corked = [];

    private ImsgPoller(bool ownThread)
    {
        _epoll = Posix.EpollCreate();
        if (ownThread)
        {
            new Thread(Loop) { IsBackground = true, Name = "imsg-poll" }.Start();
            return;
        }

        _wake = Posix.EventFdCreate();
        Errno e = Posix.EpollCtl(_epoll, Libc.EPOLL_CTL_ADD, _wake.Fd, Libc.EPOLLIN, WakeTag);
        if (e != Errno.None)
        {
            throw new PosixException((int)e, "epoll_ctl eventfd");
        }
    }

    /// <summary>The process's poller: the one the event loop drives, else one with its own thread, started on first use.</summary>
    public static ImsgPoller Shared
    {
        get
        {
            lock (CreateLock)
            {
                return s_shared ??= new ImsgPoller(ownThread: true);
            }
        }
    }

    /// <summary>
    /// Makes the calling thread (an event loop) the one that runs the process's poller, through
    /// Poll and Wake. Null when a poller with its own thread already runs: the loop then sleeps
    /// its own way.
    /// </summary>
    public static ImsgPoller? DriveFromCurrentThread()
    {
        lock (CreateLock)
        {
            if (s_shared is not null)
            {
                return null;
            }

            s_shared = new ImsgPoller(ownThread: false);
            return s_shared;
        }
    }

    /// <summary>A poller of its own for a loop to drive (tests; the daemon's roles use DriveFromCurrentThread).</summary>
    internal static ImsgPoller CreateDriven() => new(ownThread: false);

    /// <summary>
    /// On the driving thread: waits up to <paramref name="timeoutMs"/> (-1: until something is
    /// ready or Wake) and runs the ready channels' I/O.
    /// </summary>
    public void Poll(int timeoutMs)
    {
        _driverThread = Environment.CurrentManagedThreadId;
        FlushCorked();
        int n = Posix.EpollWait(_epoll, _raw, _ready, timeoutMs);
        for (int i = 0; i < n; i++)
        {
            if (_ready[i].Tag == WakeTag)
            {
                Posix.EventFdDrain(_wake!);
            }
            else if (_channels.TryGetValue(_ready[i].Tag, out var channel))
            {
                channel.OnReady(_ready[i].Events);
            }
        }
    }

    /// <summary>The process's poller when the calling thread is the event loop that drives it, else null.</summary>
    public static ImsgPoller? DrivenByCurrentThread
    {
        get
        {
            var shared = s_shared;
            return shared is not null && shared.IsDriverThread ? shared : null;
        }
    }

    /// <summary>Whether the caller is the thread that drives this poller (sends from it wait for its next Poll).</summary>
    internal bool IsDriverThread => _wake is not null && _driverThread == Environment.CurrentManagedThreadId;

    /// <summary>On the driving thread: <paramref name="channel"/> has output to write before the next wait.</summary>
    internal void Cork(ImsgChannel channel) => _corked.Add(channel);

    /// <summary>On the driving thread: writes the output its round queued, without waiting for anything (the loop is ending).</summary>
    internal void FlushCorked()
    {
        // Uncork only writes, so nothing joins the list while it is walked.
        for (int i = 0; i < _corked.Count; i++)
        {
            _corked[i].Uncork();
        }

        _corked.Clear();
    }

    /// <summary>From any thread: ends the driving thread's Poll(-1) (or its next one).</summary>
    public void Wake() => Posix.EventFdSignal(_wake!);

    /// <summary>A tag for <paramref name="channel"/>: how its events are recognised until Forget.</summary>
    public ulong NewTag(IPollTarget channel)
    {
        ulong tag = (ulong)Interlocked.Increment(ref _nextTag);
        _channels[tag] = channel;
        return tag;
    }

    /// <summary>
    /// epoll_ctl ADD (first time, or after Unwatch) or MOD with the events wanted, for an IPC socket
    /// or a descriptor owned elsewhere (a client connection).
    /// </summary>
    public void Watch(ulong tag, int fd, uint events, bool add)
    {
        Errno e = Posix.EpollCtl(_epoll, add ? Libc.EPOLL_CTL_ADD : Libc.EPOLL_CTL_MOD, fd, events, tag);
        if (e != Errno.None)
        {
            throw new PosixException((int)e, "epoll_ctl");
        }
    }

    public void Watch(ulong tag, SafeFd socket, uint events, bool add) => Watch(tag, socket.Fd, events, add);

    /// <summary>
    /// Takes the descriptor out of the epoll set: before it is closed, and even to pause a socket,
    /// because epoll reports a hang-up whatever events were asked for, so a paused socket left in
    /// the set could spin this thread.
    /// </summary>
    public void Unwatch(int fd) => _ = Posix.EpollCtl(_epoll, Libc.EPOLL_CTL_DEL, fd, 0, 0);

    public void Unwatch(SafeFd socket) => Unwatch(socket.Fd);

    /// <summary>Events still in flight for the tag are dropped from now on.</summary>
    public void Forget(ulong tag) => _channels.TryRemove(tag, out _);

    private void Loop()
    {
        while (true)
        {
            Poll(-1);
        }
    }
}
