// The commit thread's pipeline: each syncfs is the second sync of the batch renamed before it
// and the first sync of the batch staged before it; a message is only reported committed
// after both, and a failed sync takes back what it would have published.
using Smtpd.Interop;
using Smtpd.Queue;
using static Smtpd.Tests.Queue.FsQueueBackendTests;

namespace Smtpd.Tests.Queue;

public class QueueCommitterTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static List<MsgId> ReceiveMany(FsQueueBackend q, int count) =>
        Enumerable.Range(0, count).Select(_ => Receive(q, Body, "bob@example.org").Id).ToList();

    /// <summary>
    /// Commits every message; the commit thread's first sync waits until all of them are queued,
    /// so the rest go into the batches after it.
    /// </summary>
    private static List<Task<QueueResult>> CommitBehindTheFirst(QueueCommitter committer, FaultyFileSystem fs, List<MsgId> ids)
    {
        using var queued = new ManualResetEventSlim();
        fs.BeforeSync = () => queued.Wait(Patience);
        var first = committer.Commit(ids[0], Body.Length);
        var all = ids.Skip(1).Select(id => committer.Commit(id, Body.Length)).Prepend(first).ToList();
        queued.Set();
        Assert.True(Task.WhenAll(all).Wait(Patience));
        fs.BeforeSync = null;
        return all;
    }

    [Fact]
    public void ConcurrentCommitsShareSyncsAndEachGetsBothOfItsOwn()
    {
        using var spool = new TempSpool();
        var fs = new FaultyFileSystem();
        using var q = spool.Open(null, fs);
        var ids = ReceiveMany(q, 50);
        fs.Only = "syncfs";
        int before = fs.Calls;
        int logStart = fs.Log.Count;
        using var committer = new QueueCommitter(q);
        var all = CommitBehindTheFirst(committer, fs, ids);
        Assert.All(all, t => Assert.Equal(QueueResult.Ok, t.Result));
        Assert.All(ids, id => Assert.True(Directory.Exists(spool.Paths.MessageDir(id))));

        // However the commits fell into batches, each one's files were synced after they were
        // staged and before the rename into queue/, and that rename was synced before the reply:
        // three syncs at most here (the first batch held one message or a few), where two per
        // commit would have been 100.
        Assert.InRange(fs.Calls - before, 2, 3);
        var log = fs.Log.Skip(logStart).ToList();
        foreach (var id in ids)
        {
            int staged = log.FindIndex(l => l.StartsWith("rename " + spool.Paths.MessageTemp(id) + " ", StringComparison.Ordinal));
            int published = log.FindIndex(l => l.EndsWith("-> " + spool.Paths.MessageDir(id), StringComparison.Ordinal));
            Assert.True(staged >= 0 && published > staged, id.ToString());
            Assert.Contains("syncfs", log[staged..published]);
            Assert.Contains("syncfs", log[published..]);
        }
    }

    [Fact]
    public void AFailedSyncTakesBackThePublishedBatchAndFailsTheStagedOne()
    {
        using var spool = new TempSpool();
        var fs = new FaultyFileSystem();
        using var q = spool.Open(null, fs);
        var ids = ReceiveMany(q, 5);
        fs.Only = "syncfs";
        fs.FailAt = fs.Calls + 1;
        fs.FailWith = Errno.EIO;
        using var committer = new QueueCommitter(q);
        var all = CommitBehindTheFirst(committer, fs, ids);

        // The second sync would have made the first message's rename durable: it fails, so the
        // first message leaves queue/ again; the others never entered it.
        Assert.All(all, t => Assert.Equal(QueueStatus.TempFail, t.Result.Status));
        Assert.All(ids, id => Assert.False(Directory.Exists(spool.Paths.MessageDir(id))));

        // The queue works again once the disk does.
        var next = Receive(q, Body, "carol@example.org").Id;
        fs.FailAt = -1;
        Assert.True(committer.Commit(next).Wait(Patience));
        Assert.True(Directory.Exists(spool.Paths.MessageDir(next)));
    }
}
