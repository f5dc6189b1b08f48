using Smtpd.Interop;
using Smtpd.Queue;

namespace Smtpd.Tests.Queue;

// ENOSPC and friends cannot be produced on demand unprivileged, so a test double fails chosen
// file-system calls. Whatever fails, the backend must answer TempFail (never throw) and leave
// nothing in queue/ that a later start would take for a committed message.
public class FsQueueFaultTests
{
    public static TheoryData<int> Errors() => [(int)Errno.ENOSPC, (int)Errno.EIO, (int)Errno.EACCES, (int)Errno.EDQUOT];

    private static int CountCommitCalls(QueueOptions options)
    {
        using var spool = new TempSpool();
        var fs = new FaultyFileSystem();
        using var q = spool.Open(options, fs);
        var (msgid, _) = FsQueueBackendTests.Receive(q, FsQueueBackendTests.Body, "bob@example.org", "carol@example.org");
        int before = fs.Calls;
        Assert.Equal(QueueResult.Ok, q.MessageCommit(msgid));
        return fs.Calls - before;
    }

    public static TheoryData<bool> Layered() => [false, true];

    /// <summary>(layered: compression and encryption, grouped: syncfs rather than fsync per file).</summary>
    public static TheoryData<bool, bool> LayeredAndGrouped() => new()
    {
        { false, true },
        { true, true },
        { false, false },
        { true, false },
    };

    [Theory]
    [MemberData(nameof(LayeredAndGrouped))]
    public void AFailureAtAnyStepOfTheCommitIsATempFailWithNothingInTheQueue(bool layered, bool grouped)
    {
        var sync = grouped ? QueueSyncMode.Grouped : QueueSyncMode.PerFile;
        var options = layered ? new QueueOptions { Compression = true, EncryptionKey = QueueCodecTests.Key, Sync = sync } : new QueueOptions { Sync = sync };
        int calls = CountCommitCalls(options);
        Assert.InRange(calls, 8, 200);
        foreach (Errno errno in new[] { Errno.ENOSPC, Errno.EIO, Errno.EACCES })
        {
            for (int k = 0; k < calls; k++)
            {
                using var spool = new TempSpool();
                var fs = new FaultyFileSystem();
                using var q = spool.Open(options, fs);
                var (msgid, _) = FsQueueBackendTests.Receive(q, FsQueueBackendTests.Body, "bob@example.org", "carol@example.org");
                fs.FailAt = fs.Calls + k;
                fs.FailWith = errno;

                var r = q.MessageCommit(msgid);

                string where = "call " + k + " (" + errno + "): " + string.Join(" | ", fs.Log.TakeLast(3));
                Assert.True(r.Status == QueueStatus.TempFail, where + " gave " + r);
                Assert.Equal(errno, r.Errno);
                Assert.False(Directory.Exists(spool.Paths.MessageDir(msgid)), where);

                // The caller then rolls back; the spool is clean again.
                fs.FailAt = -1;
                Assert.Equal(QueueResult.Ok, q.MessageDelete(msgid));
                Assert.Equal(["corrupt/", "incoming/", "purge/", "queue/", "temporary/"], spool.Tree().Where(p => p.Count(c => c == '/') == 1 && p.EndsWith('/')).ToList());
                Assert.Empty(Directory.EnumerateFileSystemEntries(spool.Paths.Incoming));
                Assert.Empty(Directory.EnumerateFileSystemEntries(spool.Paths.Temporary));
                Assert.Empty(q.EnvelopeWalk());
            }
        }
    }

    [Theory]
    [MemberData(nameof(Errors))]
    public void MessageAndEnvelopeCreationFailCleanly(int error)
    {
        var errno = (Errno)error;
        for (int k = 0; k < 12; k++)
        {
            using var spool = new TempSpool();
            var fs = new FaultyFileSystem();
            using var q = spool.Open(null, fs);
            fs.FailAt = fs.Calls + k;
            fs.FailWith = errno;
            var r = q.MessageCreate(out MsgId msgid, out SafeFd? body);
            using (body)
            {
                if (!r.IsOk)
                {
                    Assert.Equal(QueueStatus.TempFail, r.Status);
                    Assert.Null(body);
                    Assert.Empty(Directory.EnumerateFileSystemEntries(spool.Paths.Incoming));
                    continue;
                }

                var e = FsQueueBackendTests.NewEnvelope("bob@example.org");
                r = q.EnvelopeCreate(msgid, e);
                if (!r.IsOk)
                {
                    Assert.Equal(QueueStatus.TempFail, r.Status);
                    Assert.Empty(Directory.EnumerateFileSystemEntries(spool.Paths.IncomingDir(msgid)));
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Errors))]
    public void AFailedUpdateLeavesTheOldEnvelopeReadable(int error)
    {
        var errno = (Errno)error;
        for (int k = 0; k < 10; k++)
        {
            using var spool = new TempSpool();
            var fs = new FaultyFileSystem();
            using var q = spool.Open(null, fs);
            var (msgid, envs) = FsQueueBackendTests.Receive(q, FsQueueBackendTests.Body, "bob@example.org");
            Assert.Equal(QueueResult.Ok, q.MessageCommit(msgid));
            envs[0].Retry = 5;
            fs.FailAt = fs.Calls + k;
            fs.FailWith = errno;
            var r = q.EnvelopeUpdate(envs[0]);
            fs.FailAt = -1;
            Assert.Equal(QueueResult.Ok, q.EnvelopeLoad(envs[0].Id, out var back));
            // Once the rename happened the new envelope is in place even if the directory fsync failed.
            Assert.True(r.IsOk ? back!.Retry == 5 : back!.Retry is 0 or 5);
            Assert.True(r.IsOk || r.Status == QueueStatus.TempFail);
        }
    }

    [Theory]
    [MemberData(nameof(Errors))]
    public void LoadAndWalkFailuresAreTemporaryAndMoveNothing(int error)
    {
        var errno = (Errno)error;
        using var spool = new TempSpool();
        var fs = new FaultyFileSystem();
        using var q = spool.Open(null, fs);
        var (msgid, envs) = FsQueueBackendTests.Receive(q, FsQueueBackendTests.Body, "bob@example.org");
        Assert.Equal(QueueResult.Ok, q.MessageCommit(msgid));

        // A process that did not write it reads it from disk (the writer has it cached).
        using var q2 = spool.Open(null, fs);
        fs.Only = "read";
        fs.FailAt = fs.Calls;
        fs.FailWith = errno;
        var r = q2.EnvelopeLoad(envs[0].Id, out var e);
        Assert.Equal(QueueStatus.TempFail, r.Status);
        Assert.Null(e);

        fs.Only = "list";
        fs.FailAt = fs.Calls;
        var walked = Assert.Single(q2.EnvelopeWalk());
        Assert.Equal(QueueStatus.TempFail, walked.Status);

        fs.FailAt = -1;
        Assert.True(File.Exists(spool.Paths.Envelope(envs[0].Id)));
        Assert.Empty(Directory.EnumerateFileSystemEntries(spool.Paths.Corrupt));
        Assert.Equal(QueueStatus.Ok, Assert.Single(q2.EnvelopeWalk()).Status);
    }

    [Theory]
    [MemberData(nameof(Errors))]
    public void OpeningTheMessageForDeliveryFailsTemporarily(int error)
    {
        var errno = (Errno)error;
        foreach (var options in new[] { QueueOptions.Default, new QueueOptions { Compression = true } })
        {
            using var spool = new TempSpool();
            var fs = new FaultyFileSystem();
            using var q = spool.Open(options, fs);
            var (msgid, _) = FsQueueBackendTests.Receive(q, FsQueueBackendTests.Body, "bob@example.org");
            Assert.Equal(QueueResult.Ok, q.MessageCommit(msgid));
            fs.FailAt = fs.Calls + (options.Compression ? 3 : 0);
            fs.FailWith = errno;
            var r = q.MessageOpenRead(msgid, out SafeFd? fd);
            Assert.Null(fd);
            Assert.Equal(QueueStatus.TempFail, r.Status);
        }
    }
}
