// The queue's commit thread. Commits block in syncs, so they leave the event loop; they queue
// here, and whatever has queued up while a batch was being made durable goes into the next
// batch, whose two syncs it shares (group commit). One thread instead of a pool task per
// commit: a batch costs one wake-up, not one per message.
namespace Smtpd.Queue;

internal sealed class QueueCommitter : IDisposable
{
    // A bound on the batch, so a flood of commits still gets its first replies early.
    private const int MaxBatch = 128;

    private readonly FsQueueBackend _backend;
    private readonly object _lock = new();
    private readonly Thread _thread;
    private List<(MsgId Id, TaskCompletionSource<QueueResult> Done)> _pending = [];
    private List<(MsgId Id, TaskCompletionSource<QueueResult> Done)> _spare = [];
    private bool _stopping;

    public QueueCommitter(FsQueueBackend backend)
    {
        _backend = backend;
        _thread = new Thread(Run) { IsBackground = true, Name = "queue-commit" };
        _thread.Start();
    }

    /// <summary>Queues the commit of <paramref name="msgid"/>; the task completes (off the loop) once it is durable or failed.</summary>
    public Task<QueueResult> Commit(MsgId msgid)
    {
        var done = new TaskCompletionSource<QueueResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _pending.Add((msgid, done));
            if (_pending.Count == 1)
            {
                Monitor.Pulse(_lock);
            }
        }

        return done.Task;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _stopping = true;
            Monitor.Pulse(_lock);
        }

        // The batch in progress finishes before the backend under it is disposed.
        _ = _thread.Join(TimeSpan.FromSeconds(10));
    }

    private void Run()
    {
        var ids = new List<MsgId>(MaxBatch);
        while (true)
        {
            List<(MsgId Id, TaskCompletionSource<QueueResult> Done)> batch;
            lock (_lock)
            {
                while (_pending.Count == 0)
                {
                    if (_stopping)
                    {
                        return;
                    }

                    Monitor.Wait(_lock);
                }

                if (_pending.Count <= MaxBatch)
                {
                    batch = _pending;
                    _pending = _spare;
                }
                else
                {
                    batch = _pending.GetRange(0, MaxBatch);
                    _pending.RemoveRange(0, MaxBatch);
                }
            }

            ids.Clear();
            foreach (var item in batch)
            {
                ids.Add(item.Id);
            }

            QueueResult[] results;
            try
            {
                results = _backend.MessageCommitBatch(ids);
            }
            catch (Exception ex)
            {
                // Never leave a session waiting: a bug here is a temporary failure for the batch.
                results = new QueueResult[ids.Count];
                Array.Fill(results, QueueResult.TempFail(Interop.Errno.EIO, "commit: " + ex.Message));
            }

            for (int i = 0; i < batch.Count; i++)
            {
                batch[i].Done.SetResult(results[i]);
            }

            // The list just handled becomes the next spare (the pending list is the other one).
            batch.Clear();
            lock (_lock)
            {
                _spare = batch.Capacity <= 4 * MaxBatch ? batch : [];
            }
        }
    }
}
