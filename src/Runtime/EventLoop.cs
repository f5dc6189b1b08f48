// A role's single-threaded loop: every continuation of role code runs on this one thread, so
// role state needs no locks (the C daemon's libevent loop, in async/await form). I/O threads
// (IPC readers, sockets) complete their work here through Post.
using System.Collections.Concurrent;

namespace Smtpd.Runtime;

internal sealed class EventLoop : SynchronizationContext, IDisposable
{
    private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> _queue = new();
    private int _threadId;

    /// <summary>Runs <paramref name="main"/> and everything it awaits on the calling thread until it completes.</summary>
    public static int Run(Func<Task<int>> main)
    {
        using var loop = new EventLoop { _threadId = Environment.CurrentManagedThreadId };
        var previous = Current;
        SetSynchronizationContext(loop);
        try
        {
            Task<int> task = main();
            task.ContinueWith(_ => loop._queue.CompleteAdding(), TaskScheduler.Default);
            foreach (var (callback, state) in loop._queue.GetConsumingEnumerable())
            {
                callback(state);
            }

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
        if (!_queue.IsAddingCompleted)
        {
            try
            {
                _queue.Add((d, state));
            }
            catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
            {
                // The loop finished while this was on its way: nothing is left to run it.
            }
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

    public void Dispose() => _queue.Dispose();
}
