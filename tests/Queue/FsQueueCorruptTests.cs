using Smtpd.Queue;

namespace Smtpd.Tests.Queue;

public class FsQueueCorruptTests
{
    [Fact]
    public void AnEnvelopeThatDoesNotParseIsMovedToCorruptWithItsReason()
    {
        using var spool = new TempSpool();
        using var q = spool.Open();
        var (msgid, envs) = FsQueueBackendTests.Receive(q, FsQueueBackendTests.Body, "bob@example.org", "carol@example.org");
        Assert.Equal(QueueResult.Ok, q.MessageCommit(msgid));
        File.WriteAllText(spool.Paths.Envelope(envs[0].Id), "version: 3\nmda-exec: /bin/sh\nhelo: x\nhostname: y\nwhat: ever\n");

        var walked = q.EnvelopeWalk().ToDictionary(w => w.Id);
        Assert.Equal(QueueStatus.Corrupt, walked[envs[0].Id].Status);
        Assert.Equal("invalid field \"what\"", walked[envs[0].Id].Reason);
        Assert.Null(walked[envs[0].Id].Envelope);
        Assert.Equal(QueueStatus.Ok, walked[envs[1].Id].Status);

        string dir = spool.Paths.CorruptDir(msgid);
        Assert.True(File.Exists(Path.Combine(dir, envs[0].Id.ToString())));
        Assert.Equal("invalid field \"what\"\n", File.ReadAllText(Path.Combine(dir, envs[0].Id + ".reason")));
        Assert.False(File.Exists(spool.Paths.Envelope(envs[0].Id)));
        Assert.True(File.Exists(spool.Paths.MessageFile(msgid)));
        Assert.Single(q.EnvelopeWalk());
    }

    [Fact]
    public void WhenTheLastEnvelopeIsCorruptTheMessageFollowsIt()
    {
        using var spool = new TempSpool();
        using var q = spool.Open();
        var (msgid, envs) = FsQueueBackendTests.Receive(q, FsQueueBackendTests.Body, "bob@example.org");
        Assert.Equal(QueueResult.Ok, q.MessageCommit(msgid));
        File.WriteAllBytes(spool.Paths.Envelope(envs[0].Id), [0, 1, 2, 3]);

        // Read back by a process that did not write it (the writer has it cached).
        using var fresh = spool.Open();
        var r = fresh.EnvelopeLoad(envs[0].Id, out var e);
        Assert.Equal(QueueStatus.Corrupt, r.Status);
        Assert.Null(e);
        Assert.False(Directory.Exists(spool.Paths.MessageDir(msgid)));
        Assert.Equal(FsQueueBackendTests.Body, File.ReadAllBytes(Path.Combine(spool.Paths.CorruptDir(msgid), "message")));
        Assert.Empty(q.EnvelopeWalk());
    }

    [Theory]
    [InlineData("version: 2\nhelo: h\nhostname: n\n", "bad envelope version 2")]
    [InlineData("version: 3\nhostname: n\n", "empty helo")]
    [InlineData("version: 3\nhelo: h\nhostname: n", "last line not terminated")]
    [InlineData("", "version not found")]
    public void OlderVersionsTruncatedOrIncompleteEnvelopesAreSetAside(string content, string reason)
    {
        using var spool = new TempSpool();
        using var q = spool.Open();
        var (msgid, envs) = FsQueueBackendTests.Receive(q, FsQueueBackendTests.Body, "bob@example.org");
        Assert.Equal(QueueResult.Ok, q.MessageCommit(msgid));
        File.WriteAllText(spool.Paths.Envelope(envs[0].Id), content);
        var walked = Assert.Single(q.EnvelopeWalk());
        Assert.Equal(new QueueWalkEntry(envs[0].Id, QueueStatus.Corrupt, null, reason), walked);
    }

    [Fact]
    public void OversizedOrNonRegularEnvelopesAreSetAside()
    {
        using var spool = new TempSpool();
        using var q = spool.Open();
        var (msgid, envs) = FsQueueBackendTests.Receive(q, FsQueueBackendTests.Body, "bob@example.org", "carol@example.org");
        Assert.Equal(QueueResult.Ok, q.MessageCommit(msgid));
        File.WriteAllBytes(spool.Paths.Envelope(envs[0].Id), new byte[EnvelopeFormat.MaxLoadSize + 1]);
        File.Delete(spool.Paths.Envelope(envs[1].Id));
        File.CreateSymbolicLink(spool.Paths.Envelope(envs[1].Id), "/etc/passwd");

        var reasons = q.EnvelopeWalk().Select(w => (w.Status, w.Reason)).Order().ToList();
        Assert.Equal([(QueueStatus.Corrupt, "not a regular file"), (QueueStatus.Corrupt, "too large")], reasons);
    }

    [Fact]
    public void EnvelopesWhoseMessageFileIsMissingAreSetAside()
    {
        using var spool = new TempSpool();
        using var q = spool.Open();
        var (msgid, envs) = FsQueueBackendTests.Receive(q, FsQueueBackendTests.Body, "bob@example.org");
        Assert.Equal(QueueResult.Ok, q.MessageCommit(msgid));
        File.Delete(spool.Paths.MessageFile(msgid));
        var walked = Assert.Single(q.EnvelopeWalk());
        Assert.Equal(QueueStatus.Corrupt, walked.Status);
        Assert.Equal("message file missing", walked.Reason);
        Assert.True(File.Exists(Path.Combine(spool.Paths.CorruptDir(msgid), envs[0].Id.ToString())));
        Assert.False(Directory.Exists(spool.Paths.MessageDir(msgid)));
    }

    [Fact]
    public void AMessageDirectoryWithoutEnvelopesIsCleanedUpByTheWalk()
    {
        using var spool = new TempSpool();
        using var q = spool.Open();
        var (msgid, envs) = FsQueueBackendTests.Receive(q, FsQueueBackendTests.Body, "bob@example.org");
        Assert.Equal(QueueResult.Ok, q.MessageCommit(msgid));
        File.Delete(spool.Paths.Envelope(envs[0].Id));
        Assert.Empty(q.EnvelopeWalk());
        Assert.False(Directory.Exists(spool.Paths.MessageDir(msgid)));
    }

    [Fact]
    public void AStoredMessageThatDoesNotDecryptIsReportedCorrupt()
    {
        using var spool = new TempSpool();
        using var q = spool.Open(new QueueOptions { EncryptionKey = QueueCodecTests.Key });
        var (msgid, _) = FsQueueBackendTests.Receive(q, FsQueueBackendTests.Body, "bob@example.org");
        Assert.Equal(QueueResult.Ok, q.MessageCommit(msgid));
        byte[] stored = File.ReadAllBytes(spool.Paths.MessageFile(msgid));
        stored[^1] ^= 0x80;
        File.WriteAllBytes(spool.Paths.MessageFile(msgid), stored);
        var r = q.MessageOpenRead(msgid, out var fd);
        Assert.Null(fd);
        Assert.Equal(QueueResult.Corrupt("message " + msgid + ": cannot decrypt"), r);
    }
}
