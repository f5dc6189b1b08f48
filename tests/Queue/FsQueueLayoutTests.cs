using System.Globalization;
using Smtpd.Interop;
using Smtpd.Queue;

namespace Smtpd.Tests.Queue;

// The spool must look exactly like OpenSMTPD's, so either daemon can take it over, and the
// commit must order its fsyncs and renames so that a 250 survives a power cut.
public class FsQueueLayoutTests
{
    private static string Mode(string path)
    {
        Assert.Equal(Errno.None, Posix.TryStatus(path, out FileStatus st));
        return Convert.ToString(st.Mode & 0xfff, 8).PadLeft(4, '0');
    }

    /// <summary>Receives a message for two recipients and commits it; returns what the commit did to the file system.</summary>
    private static (MsgId Id, List<Envelope> Envelopes, List<string> Log) CommitLogged(TempSpool spool, QueueSyncMode sync)
    {
        var fs = new FaultyFileSystem();
        using var q = spool.Open(new QueueOptions { Sync = sync }, fs);
        var (msgid, envs) = FsQueueBackendTests.Receive(q, FsQueueBackendTests.Body, "bob@example.org", "carol@example.org");
        int start = fs.Log.Count;
        Assert.Equal(QueueResult.Ok, q.MessageCommit(msgid));
        return (msgid, envs, fs.Log.Skip(start).ToList());
    }

    private static List<string> TreeWithModes(TempSpool spool) =>
        spool.Tree().Select(p => p + " " + Mode(Path.Combine(spool.Root, p.TrimEnd('/')))).ToList();

    [Fact]
    public void IncomingAndCommittedLayoutAndModesMatchOpenSmtpd()
    {
        using var spool = new TempSpool();
        using var q = spool.Open();
        var (msgid, envs) = FsQueueBackendTests.Receive(q, FsQueueBackendTests.Body, "bob@example.org");
        string m = msgid.ToString();
        string e = envs[0].Id.ToString();
        Assert.Equal(
            [
                "corrupt/ 0700", "incoming/ 0700", $"incoming/{m}/ 0700", $"incoming/{m}/{e} 0600",
                "purge/ 0700", "queue/ 0700", "temporary/ 0700", $"temporary/{m} 0600",
            ],
            TreeWithModes(spool));

        Assert.Equal(QueueResult.Ok, q.MessageCommit(msgid));
        string b = m[..2];
        Assert.Equal(
            [
                "corrupt/ 0700", "incoming/ 0700", "purge/ 0700", "queue/ 0700", $"queue/{b}/ 0700",
                $"queue/{b}/{m}/ 0700", $"queue/{b}/{m}/{e} 0600", $"queue/{b}/{m}/message 0600", "temporary/ 0700",
            ],
            TreeWithModes(spool));
        Assert.Equal(FsQueueBackendTests.Body, File.ReadAllBytes(Path.Combine(spool.Root, "queue", b, m, "message")));
    }

    [Fact]
    public void ASpoolWrittenByOpenSmtpdIsTakenOver()
    {
        using var spool = new TempSpool();
        string dir = Path.Combine(spool.Root, "queue", "3f", "3fa2c901");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "message"), FsQueueBackendTests.Body);
        File.WriteAllText(Path.Combine(dir, "3fa2c9010000abcd"), EnvelopeGolden.Mda);
        File.WriteAllText(Path.Combine(dir, "3fa2c9010000beef"), EnvelopeGolden.Mta);
        Directory.CreateDirectory(Path.Combine(spool.Root, "incoming", "0badc0de"));
        File.WriteAllText(Path.Combine(spool.Root, "incoming", "0badc0de", "0badc0de00000001"), EnvelopeGolden.Mda);

        using var q = spool.Open();
        var walked = q.EnvelopeWalk().ToList();
        Assert.Equal([0x3fa2c9010000abcdUL, 0x3fa2c9010000beefUL], walked.Select(w => w.Id.Value));
        Assert.All(walked, w => Assert.Equal(QueueStatus.Ok, w.Status));
        Assert.Equal("bob", walked[0].Envelope!.MdaUser);
        Assert.Equal(FsQueueBackendTests.Body, FsQueueBackendTests.ReadMessage(q, new MsgId(0x3fa2c901)));
        Assert.Empty(Directory.EnumerateFileSystemEntries(spool.Paths.Incoming));

        // What we write back is what OpenSMTPD wrote.
        var e = walked[1].Envelope!;
        Assert.Equal(QueueResult.Ok, q.EnvelopeUpdate(e));
        Assert.Equal(EnvelopeGolden.Mta, File.ReadAllText(Path.Combine(dir, "3fa2c9010000beef")));
    }

    [Fact]
    public void CommitFsyncsEveryFileBeforeTheRenameAndEveryDirectoryAfterIt()
    {
        using var spool = new TempSpool();
        var (msgid, envs, log) = CommitLogged(spool, QueueSyncMode.PerFile);
        var p = spool.Paths;

        int At(string line)
        {
            int i = log.IndexOf(line);
            Assert.True(i >= 0, "missing: " + line + "\n" + string.Join("\n", log));
            return i;
        }

        // The first attempt fails with ENOENT (no bucket yet); the last one is the commit point.
        string rename = "rename " + p.IncomingDir(msgid) + " -> " + p.MessageDir(msgid);
        At(rename);
        int commit = log.LastIndexOf(rename);
        int bodyIn = At("rename " + p.MessageTemp(msgid) + " -> " + p.IncomingMessage(msgid));
        Assert.True(At("fsync " + p.MessageTemp(msgid)) < bodyIn);
        foreach (var e in envs)
        {
            Assert.True(At("fsync " + p.IncomingEnvelope(e.Id)) < commit);
        }

        int msgDirSync = At("fsyncdir " + p.IncomingDir(msgid));
        Assert.True(bodyIn < msgDirSync && msgDirSync < commit);

        // First message of its bucket: the bucket is created and queue/ synced before the rename.
        int mkdir = At("mkdir " + p.Bucket(msgid));
        Assert.True(mkdir < log.IndexOf("fsyncdir " + p.Queue) && log.IndexOf("fsyncdir " + p.Queue) < commit);

        Assert.True(log.LastIndexOf("fsyncdir " + p.Bucket(msgid)) > commit);
        // queue/ changed only by the mkdir, already synced: no second fsync of it after the commit.
        Assert.True(log.LastIndexOf("fsyncdir " + p.Queue) < commit);
        Assert.True(log.LastIndexOf("fsyncdir " + p.Incoming) > commit);
        Assert.DoesNotContain(log.Skip(commit + 1), l => !l.StartsWith("fsyncdir ", StringComparison.Ordinal));
    }

    [Fact]
    public void AGroupedCommitSyncsTheFileSystemBeforeTheRenameAndAfterIt()
    {
        using var spool = new TempSpool();
        var (msgid, _, log) = CommitLogged(spool, QueueSyncMode.Grouped);
        var p = spool.Paths;

        string rename = "rename " + p.IncomingDir(msgid) + " -> " + p.MessageDir(msgid);
        int commit = log.LastIndexOf(rename);
        int bodyIn = log.IndexOf("rename " + p.MessageTemp(msgid) + " -> " + p.IncomingMessage(msgid));
        int firstSync = log.IndexOf("syncfs");
        Assert.True(bodyIn >= 0 && bodyIn < firstSync && firstSync < commit, string.Join("\n", log));
        Assert.Equal("syncfs", log[^1]);
        Assert.Equal(2, log.Count(l => l == "syncfs"));
        Assert.DoesNotContain(log, l => l.StartsWith("fsync", StringComparison.Ordinal));
    }

    [Fact]
    public void MessageIdsArePrintedInTheirBucket()
    {
        var paths = new QueuePaths("/var/spool/smtpd");
        var evpid = new EvpId(0x3fa2c9017c1d2e3f);
        Assert.Equal("/var/spool/smtpd/queue/3f/3fa2c901/3fa2c9017c1d2e3f", paths.Envelope(evpid));
        Assert.Equal("/var/spool/smtpd/queue/3f/3fa2c901/message", paths.MessageFile(evpid.MsgId));
        Assert.Equal("/var/spool/smtpd/incoming/3fa2c901/3fa2c9017c1d2e3f", paths.IncomingEnvelope(evpid));
        Assert.Equal("/var/spool/smtpd/temporary/3fa2c901", paths.MessageTemp(evpid.MsgId));
        Assert.Equal("/var/spool/smtpd/incoming/envelope.tmp", paths.EnvelopeTmp);
        Assert.Equal("00", new MsgId(uint.Parse("00ffffff", NumberStyles.HexNumber, CultureInfo.InvariantCulture)).Bucket);
    }
}
