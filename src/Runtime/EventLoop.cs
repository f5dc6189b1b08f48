// A role's single-threaded loop: every continuation of role code runs on this one thread, so
// role state needs no locks (the C daemon's libevent loop, in async/await form). I/O threads
// (IPC readers, sockets) complete their work here through Post. An idle loop sleeps on an event
// without spinning first: under load it goes idle between messages constantly, and a spinning
// wait (BlockingCollection's) burnt CPU in sched_yield that the other processes needed.
using System.Collections.Concurrent;

namespace Smtpd.Runtime;

internal sealed class EventLoop : SynchronizationContext, IDisposable
{
    private readonly ConcurrentQueue<(SendOrPostCallback Callback, object? State)> _queue = new();
    private readonly AutoResetEvent _wake = new(false);
    private int _threadId;
    private int _sleeping;
    private volatile bool _done;

    /// <summary>Runs <paramref name="main"/> and everything it awaits on the calling thread until it completes.</summary>
    public static int Run(Func<Task<int>> main)
    {
        using var loop = new EventLoop { _threadId = Environment.CurrentManagedThreadId };
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
            _wake.Set();
        }
    }

    private void Stop()
    {
        _done = true;
        Interlocked.Exchange(ref _sleeping, 0);
        _wake.Set();
    }

    private void RunQueue()
    {
        while (true)
        {
            while (_queue.TryDequeue(out var item))
            {
                item.Callback(item.State);
            }

            if (_done)
            {
                return;
            }

            // Announce the sleep, then look again: a Post that saw the flag sets the event; one
            // that came before it is found by this second look.
            Interlocked.Exchange(ref _sleeping, 1);
            if (!_queue.IsEmpty || _done)
            {
                Interlocked.Exchange(ref _sleeping, 0);
                continue;
            }

            _wake.WaitOne();
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
