using Smtpd.Interop;
using Smtpd.Queue;

namespace Smtpd.Tests.Queue;

// A crash is simulated by a file system that stops doing anything from the n-th call on (the disk
// keeps what was done before). After a restart (Init purges, then the walk) the spool must hold
// either the whole message with every envelope, or nothing at all; and once a commit said Ok,
// always the whole message.
public class FsQueueCrashTests
{
    private static readonly string[] Rcpts = ["bob@example.org", "carol@example.org", "dave@example.org"];

    /// <summary>What a dying queue process gets through: stops at the first failure, like a crashed process.</summary>
    private static bool ReceiveAndCommit(FsQueueBackend q, out MsgId msgid)
    {
        if (!q.MessageCreate(out msgid, out SafeFd? body).IsOk)
        {
            return false;
        }

        using (body)
        {
            Assert.Equal(Errno.None, Posix.TryWriteAll(body!, FsQueueBackendTests.Body));
        }

        foreach (string rcpt in Rcpts)
        {
            if (!q.EnvelopeCreate(msgid, FsQueueBackendTests.NewEnvelope(rcpt)).IsOk)
            {
                return false;
            }
        }

        return q.MessageCommit(msgid).IsOk;
    }

    private static List<QueueWalkEntry> Restart(TempSpool spool, QueueOptions? options = null)
    {
        using var q = spool.Open(options);
        Assert.Empty(Directory.EnumerateFileSystemEntries(spool.Paths.Incoming));
        Assert.Empty(Directory.EnumerateFileSystemEntries(spool.Paths.Temporary));
        Assert.Empty(Directory.EnumerateFileSystemEntries(spool.Paths.Corrupt));
        return q.EnvelopeWalk().ToList();
    }

    /// <summary>(layered: compression and encryption, grouped: syncfs rather than fsync per file).</summary>
    public static TheoryData<bool, bool> Layered() => new()
    {
        { false, true },
        { true, true },
        { false, false },
        { true, false },
    };

    [Theory]
    [MemberData(nameof(Layered))]
    public void ACrashAnywhereInReceiveAndCommitLeavesAllOrNothing(bool layered, bool grouped)
    {
        var sync = grouped ? QueueSyncMode.Grouped : QueueSyncMode.PerFile;
        var options = layered ? new QueueOptions { Compression = true, EncryptionKey = QueueCodecTests.Key, Sync = sync } : new QueueOptions { Sync = sync };
        int total;
        using (var spool = new TempSpool())
        {
            var fs = new FaultyFileSystem();
            using var q = spool.Open(options, fs);
            int before = fs.Calls;
            Assert.True(ReceiveAndCommit(q, out _));
            total = fs.Calls - before;
        }

        for (int k = 0; k <= total; k++)
        {
            using var spool = new TempSpool();
            var fs = new FaultyFileSystem { Crash = true };
            bool acknowledged;
            MsgId msgid;
            using (var q = spool.Open(options, fs))
            {
                fs.FailAt = fs.Calls + k;
                acknowledged = ReceiveAndCommit(q, out msgid);
            }

            var walked = Restart(spool, options);
            if (walked.Count == 0)
            {
                Assert.False(acknowledged, "crash at call " + k + " lost an acknowledged message");
                continue;
            }

            Assert.Equal(Rcpts.Length, walked.Count);
            Assert.All(walked, w => Assert.Equal(QueueStatus.Ok, w.Status));
            Assert.Equal(Rcpts, walked.Select(w => w.Envelope!.Rcpt.ToString()).Order());
            using var again = new FsQueueBackend(spool.Root, options);
            Assert.Equal(FsQueueBackendTests.Body, FsQueueBackendTests.ReadMessage(again, msgid));
        }
    }

    [Fact]
    public void ACrashWhileDeletingLeavesNoEnvelopeWithoutItsMessage()
    {
        for (int k = 0; k < 40; k++)
        {
            using var spool = new TempSpool();
            var fs = new FaultyFileSystem { Crash = true };
            MsgId msgid;
            using (var q = spool.Open(null, fs))
            {
                Assert.True(ReceiveAndCommit(q, out msgid));
                var ids = q.MessageWalk(msgid).Select(w => w.Id).ToList();
                fs.FailAt = fs.Calls + k;
                foreach (var id in ids)
                {
                    if (!q.EnvelopeDelete(id).IsOk)
                    {
                        break;
                    }
                }
            }

            var walked = Restart(spool);
            Assert.All(walked, w => Assert.Equal(QueueStatus.Ok, w.Status));
            Assert.True(walked.Count == 0 || File.Exists(spool.Paths.MessageFile(msgid)));
            if (walked.Count == 0)
            {
                Assert.False(Directory.Exists(spool.Paths.MessageDir(msgid)));
            }
        }
    }

    [Fact]
    public void ACrashWhileUpdatingLeavesTheOldOrTheNewEnvelope()
    {
        for (int k = 0; k < 12; k++)
        {
            using var spool = new TempSpool();
            var fs = new FaultyFileSystem { Crash = true };
            using (var q = spool.Open(null, fs))
            {
                Assert.True(ReceiveAndCommit(q, out MsgId msgid));
                var first = q.MessageWalk(msgid).First().Envelope!;
                first.Retry = 9;
                first.LastTry = 1700000900;
                fs.FailAt = fs.Calls + k;
                _ = q.EnvelopeUpdate(first);
            }

            var walked = Restart(spool);
            Assert.Equal(Rcpts.Length, walked.Count);
            Assert.All(walked, w => Assert.True(
                (w.Envelope!.Retry, w.Envelope.LastTry) is (0, 0) or (9, 1700000900),
                "mixed envelope after crash at " + k));
        }
    }

    [Fact]
    public void ACrashWhileAddingABounceLeavesAWholeEnvelopeOrNone()
    {
        for (int k = 0; k < 12; k++)
        {
            using var spool = new TempSpool();
            var fs = new FaultyFileSystem { Crash = true };
            using (var q = spool.Open(null, fs))
            {
                Assert.True(ReceiveAndCommit(q, out MsgId msgid));
                var bounce = FsQueueBackendTests.NewEnvelope("alice@example.net");
                bounce.Type = EnvelopeType.Bounce;
                fs.FailAt = fs.Calls + k;
                _ = q.EnvelopeCreate(msgid, bounce);
            }

            var walked = Restart(spool);
            Assert.InRange(walked.Count, Rcpts.Length, Rcpts.Length + 1);
            Assert.All(walked, w => Assert.Equal(QueueStatus.Ok, w.Status));
        }
    }
}
