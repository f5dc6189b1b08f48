// A role's single-threaded loop: every continuation of role code runs on this one thread, so
// role state needs no locks (the C daemon's libevent loop, in async/await form). The loop also
// runs the process's IPC poller: when it has nothing to run it sleeps in epoll_wait on every
// socketpair, so a message from another process is read and dispatched here after one wake-up
// (with a poller thread it took two, the poller's and then the loop's). Other threads (sockets,
// timers, the queue's commit thread) hand work over through Post, which wakes the loop through an
// eventfd. Between rounds of queued work the loop looks at the sockets without waiting, so a busy
// loop still reads its IPC. Idle, it sleeps without spinning first: under load it goes idle
// between messages constantly, and a spinning wait burnt CPU the other processes needed.
using System.Collections.Concurrent;
using Smtpd.Ipc;

namespace Smtpd.Runtime;

internal sealed class EventLoop : SynchronizationContext, IDisposable
{
    // Callbacks run before the IPC sockets get another look.
    private const int RoundSize = 64;

    private readonly ConcurrentQueue<(SendOrPostCallback Callback, object? State)> _queue = new();
    private readonly AutoResetEvent _wake = new(false);
    private ImsgPoller? _poller;
    private int _threadId;
    private int _sleeping;
    private volatile bool _done;

    /// <summary>Runs <paramref name="main"/> and everything it awaits on the calling thread until it completes.</summary>
    public static int Run(Func<Task<int>> main) => Run(main, ImsgPoller.DriveFromCurrentThread());

    /// <summary>Run, sleeping in <paramref name="poller"/> (null: on an event of its own).</summary>
    internal static int Run(Func<Task<int>> main, ImsgPoller? poller)
    {
        using var loop = new EventLoop { _threadId = Environment.CurrentManagedThreadId, _poller = poller };
        var previous = Current;
        SetSynchronizationContext(loop);
        try
        {
            Task<int> task = main();
            task.ContinueWith(_ => loop.Stop(), TaskScheduler.Default);
            loop.RunQueue();
            return task.GetAwaiter().GetResult();
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }

    public bool IsLoopThread => Environment.CurrentManagedThreadId == _threadId;

    public override void Post(SendOrPostCallback d, object? state)
    {
        if (_done)
        {
            // The loop finished while this was on its way: nothing is left to run it.
            return;
        }

        _queue.Enqueue((d, state));
        if (Interlocked.Exchange(ref _sleeping, 0) == 1)
        {
            WakeUp();
        }
    }

    private void WakeUp()
    {
        if (_poller is not null)
        {
            _poller.Wake();
        }
        else
        {
            _wake.Set();
        }
    }

    private void Stop()
    {
        _done = true;
        Interlocked.Exchange(ref _sleeping, 0);
        WakeUp();
    }

    private void RunQueue()
    {
        while (true)
        {
            int ran = 0;
            while ((_poller is null || ran < RoundSize) && _queue.TryDequeue(out var item))
            {
                item.Callback(item.State);
                ran++;
            }

            if (_done)
            {
                // What the last round sent still has to go out.
                _poller?.FlushCorked();
                return;
            }

            if (!_queue.IsEmpty)
            {
                _poller?.Poll(0);
                continue;
            }

            // Announce the sleep, then look again: a Post that saw the flag wakes us; one that
            // came before it is found by this second look.
            Interlocked.Exchange(ref _sleeping, 1);
            if (!_queue.IsEmpty || _done)
            {
                Interlocked.Exchange(ref _sleeping, 0);
                continue;
            }

            if (_poller is null)
            {
                _wake.WaitOne();
                continue;
            }

            _poller.Poll(-1);

            // Woken by a socket rather than a Post: Posts need not signal until the next sleep.
            Interlocked.Exchange(ref _sleeping, 0);
        }
    }

    public override void Send(SendOrPostCallback d, object? state)
    {
        if (IsLoopThread)
        {
            d(state);
            return;
        }

        using var done = new ManualResetEventSlim();
        Post(
            _ =>
            {
                d(state);
                done.Set();
            },
            null);
        done.Wait();
    }

    public override SynchronizationContext CreateCopy() => this;

    public void Dispose() => _wake.Dispose();
}
