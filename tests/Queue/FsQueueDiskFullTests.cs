using Smtpd.Interop;
using Smtpd.Queue;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.Queue;

// With a real full disk (a 256 KiB tmpfs, or one with few inodes): every failure is a TempFail,
// every committed message survives a restart whole, and the queue works again once space returns.
public class FsQueueDiskFullTests
{
    private static readonly byte[] BigBody = new byte[16 * 1024];

    /// <summary>Receives and commits like the dispatcher and queue would; a failed step is rolled back.</summary>
    private static QueueResult TryQueue(FsQueueBackend q)
    {
        var r = q.MessageCreate(out MsgId msgid, out SafeFd? body);
        if (!r.IsOk)
        {
            return r;
        }

        using (body)
        {
            Errno e = Posix.TryWriteAll(body!, BigBody);
            if (e != Errno.None)
            {
                Assert.Equal(QueueResult.Ok, q.MessageDelete(msgid));
                return QueueResult.TempFail(e, "body");
            }
        }

        foreach (string rcpt in new[] { "bob@example.org", "carol@example.org" })
        {
            r = q.EnvelopeCreate(msgid, FsQueueBackendTests.NewEnvelope(rcpt));
            if (!r.IsOk)
            {
                Assert.Equal(QueueResult.Ok, q.MessageDelete(msgid));
                return r;
            }
        }

        r = q.MessageCommit(msgid, BigBody.Length);
        if (!r.IsOk)
        {
            Assert.Equal(QueueResult.Ok, q.MessageDelete(msgid));
        }

        return r;
    }

    [RootFact("mounts a small tmpfs")]
    public void FillingTheSpoolGivesTempFailsAndKeepsEveryCommittedMessageWhole()
    {
        foreach (string options in new[] { "size=256k,mode=0700", "size=4m,nr_inodes=40,mode=0700" })
        {
            using var tmpfs = new TinyTmpfs(options);
            int committed = 0;
            QueueResult last = QueueResult.Ok;
            using (var q = new FsQueueBackend(tmpfs.Root))
            {
                Assert.Equal(QueueResult.Ok, q.Init());
                for (int i = 0; i < 1000 && last.IsOk; i++)
                {
                    last = TryQueue(q);
                    committed += last.IsOk ? 1 : 0;
                }
            }

            Assert.Equal(QueueStatus.TempFail, last.Status);
            Assert.Equal(Errno.ENOSPC, last.Errno);
            Assert.InRange(committed, 1, 999);

            using var again = new FsQueueBackend(tmpfs.Root);
            Assert.Equal(QueueResult.Ok, again.Init());
            var walked = again.EnvelopeWalk().ToList();
            Assert.Equal(2 * committed, walked.Count);
            Assert.All(walked, w => Assert.Equal(QueueStatus.Ok, w.Status));
            foreach (var msgid in walked.Select(w => w.Id.MsgId).Distinct())
            {
                Assert.Equal(BigBody.Length, FsQueueBackendTests.ReadMessage(again, msgid).Length);
            }

            // Space comes back when mail leaves; the queue accepts again.
            foreach (var w in walked.Take(4))
            {
                Assert.Equal(QueueResult.Ok, again.EnvelopeDelete(w.Id));
            }

            Assert.Equal(QueueResult.Ok, TryQueue(again));
        }
    }

    [RootFact("mounts a small tmpfs")]
    public void AnUpdateOnAFullDiskFailsTemporarilyAndKeepsTheOldEnvelope()
    {
        using var tmpfs = new TinyTmpfs("size=256k,mode=0700");
        using var q = new FsQueueBackend(tmpfs.Root);
        Assert.Equal(QueueResult.Ok, q.Init());
        var (msgid, envs) = FsQueueBackendTests.Receive(q, FsQueueBackendTests.Body, "bob@example.org");
        Assert.Equal(QueueResult.Ok, q.MessageCommit(msgid));

        string filler = Path.Combine(tmpfs.Root, "filler");
        using (var f = new FileStream(filler, FileMode.CreateNew))
        {
            try
            {
                while (true)
                {
                    f.Write(new byte[4096]);
                    f.Flush();
                }
            }
            catch (IOException)
            {
            }
        }

        envs[0].Retry = 4;
        var r = q.EnvelopeUpdate(envs[0]);
        Assert.Equal(QueueStatus.TempFail, r.Status);
        Assert.Equal(Errno.ENOSPC, r.Errno);
        Assert.Equal(QueueResult.Ok, q.EnvelopeLoad(envs[0].Id, out var old));
        Assert.Equal(0, old!.Retry);

        File.Delete(filler);
        Assert.Equal(QueueResult.Ok, q.EnvelopeUpdate(envs[0]));
        Assert.Equal(QueueResult.Ok, q.EnvelopeLoad(envs[0].Id, out var updated));
        Assert.Equal(4, updated!.Retry);
    }
}
