// The queue's commit thread. Commits block in syncs, so they leave the event loop; they queue
// here, and whatever has queued up meanwhile goes into the next batch (group commit). One thread
// instead of a pool task per commit: a batch costs one wake-up, not one per message.
//
// A grouped commit needs two syncs: one before the renames into queue/ (the files must be on
// disk before the rename that names them) and one after (the rename must be on disk before the
// 250). The thread runs them as a pipeline: each syncfs is the second sync of the batch renamed
// just before it and the first sync of the batch staged just before it, so under load every
// sync serves two batches and the disk sees half the cache flushes. A message still gets both
// of its syncs, in order, before its reply.
namespace Smtpd.Queue;

internal sealed class QueueCommitter : IDisposable
{
    // A bound on the batch, so a flood of commits still gets its first replies early.
    private const int MaxBatch = 128;

    private readonly IQueueBackend _backend;

    // The backend's commit in steps, when its commits share syncs; null: it commits in one call.
    private readonly IStagedCommits? _steps;
    private readonly object _lock = new();
    private readonly Thread _thread;
    private List<Pending> _pending = [];
    private List<Pending> _spare = [];
    private bool _stopping;

    public QueueCommitter(IQueueBackend backend)
    {
        _backend = backend;
        _steps = backend is IStagedCommits { GroupedCommits: true } steps ? steps : null;
        _thread = new Thread(Run) { IsBackground = true, Name = "queue-commit" };
        _thread.Start();
    }

    private readonly record struct Pending(MsgId Id, long BodyLength, TaskCompletionSource<QueueResult> Done);

    /// <summary>
    /// Queues the commit of <paramref name="msgid"/> (its body <paramref name="bodyLength"/> bytes,
    /// see IQueueBackend.MessageCommit); the task completes (off the loop) once it is durable or failed.
    /// </summary>
    public Task<QueueResult> Commit(MsgId msgid, long bodyLength = -1)
    {
        var done = new TaskCompletionSource<QueueResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _pending.Add(new Pending(msgid, bodyLength, done));
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
        // Renamed into queue/, waiting for the sync that makes the rename durable.
        var published = new List<Pending>(MaxBatch);
        var staged = new List<Pending>(MaxBatch);
        while (Take(wait: published.Count == 0) is { } batch)
        {
            try
            {
                if (_steps is not null)
                {
                    Pipeline(_steps, batch, staged, published);
                }
                else
                {
                    CommitEach(batch);
                }
            }
            catch (Exception ex)
            {
                // Never leave a session waiting: a bug here is a temporary failure for all in flight.
                var failure = QueueResult.TempFail(Interop.Errno.EIO, "commit: " + ex.Message);
                foreach (var c in published)
                {
                    _steps?.Unpublish(c.Id);
                }

                Complete(published, failure);
                Complete(staged, failure);
                Complete(batch, failure);
            }

            staged.Clear();
            batch.Clear();
            lock (_lock)
            {
                // The list just handled becomes the next spare (the pending list is the other one).
                _spare = batch.Capacity <= 4 * MaxBatch ? batch : [];
            }
        }
    }

    /// <summary>
    /// The next commits. Waits for one unless <paramref name="wait"/> is false (published
    /// messages still need their sync): then the batch may be empty. Null once stopped with
    /// nothing left.
    /// </summary>
    private List<Pending>? Take(bool wait)
    {
        lock (_lock)
        {
            while (_pending.Count == 0)
            {
                if (!wait)
                {
                    var none = _spare;
                    _spare = [];
                    return none;
                }

                if (_stopping)
                {
                    return null;
                }

                Monitor.Wait(_lock);
            }

            List<Pending> batch;
            if (_pending.Count <= MaxBatch)
            {
                batch = _pending;
                _pending = _spare;
                _spare = [];
            }
            else
            {
                batch = _pending.GetRange(0, MaxBatch);
                _pending.RemoveRange(0, MaxBatch);
            }

            return batch;
        }
    }

    private static void Pipeline(IStagedCommits steps, List<Pending> batch, List<Pending> staged, List<Pending> published)
    {
        foreach (var c in batch)
        {
            QueueResult r = steps.StageForCommit(c.Id, c.BodyLength);
            if (r.IsOk)
            {
                staged.Add(c);
            }
            else
            {
                c.Done.TrySetResult(r);
            }
        }

        batch.Clear();
        if (staged.Count == 0 && published.Count == 0)
        {
            return;
        }

        Interop.Errno e = steps.SyncForCommit();
        if (e != Interop.Errno.None)
        {
            // The clients are told to send again: take the published copies back out of queue/
            // rather than deliver them twice.
            var failure = QueueResult.TempFail(e, "syncfs");
            foreach (var c in published)
            {
                steps.Unpublish(c.Id);
            }

            Complete(published, failure);
            Complete(staged, failure);
            return;
        }

        foreach (var c in published)
        {
            steps.Committed(c.Id);
        }

        Complete(published, QueueResult.Ok);
        foreach (var c in staged)
        {
            QueueResult r = steps.PublishForCommit(c.Id);
            if (r.IsOk)
            {
                published.Add(c);
            }
            else
            {
                c.Done.TrySetResult(r);
            }
        }

        staged.Clear();
    }

    private void CommitEach(List<Pending> batch)
    {
        var messages = new List<(MsgId Id, long BodyLength)>(batch.Count);
        foreach (var c in batch)
        {
            messages.Add((c.Id, c.BodyLength));
        }

        QueueResult[] results = _backend.MessageCommitBatch(messages);
        for (int i = 0; i < batch.Count; i++)
        {
            batch[i].Done.TrySetResult(results[i]);
        }

        batch.Clear();
    }

    private static void Complete(List<Pending> commits, QueueResult result)
    {
        foreach (var c in commits)
        {
            c.Done.TrySetResult(result);
        }

        commits.Clear();
    }
}
