using System.Text;
using Smtpd.Interop;
using Smtpd.Queue;

namespace Smtpd.Tests.Queue;

public class FsQueueBackendTests
{
    internal static readonly byte[] Body = Encoding.ASCII.GetBytes("Received: from client\r\nSubject: hi\r\n\r\nhello\r\n");

    internal static Envelope NewEnvelope(string rcpt) => new()
    {
        Dispatcher = "local",
        Helo = "client.example.net",
        Hostname = "client.example.net",
        SockAddr = "192.0.2.10",
        Sender = MailAddr.Parse("alice@example.net"),
        Rcpt = MailAddr.Parse(rcpt),
        Dest = MailAddr.Parse(rcpt),
        Ttl = 345600,
    };

    /// <summary>Receives a message with the given recipients; returns its id and envelopes (not yet committed).</summary>
    internal static (MsgId Id, List<Envelope> Envelopes) Receive(IQueueBackend q, byte[] body, params string[] rcpts)
    {
        Assert.Equal(QueueResult.Ok, q.MessageCreate(out MsgId msgid, out SafeFd? fd));
        using (fd)
        {
            Assert.Equal(Errno.None, Posix.TryWriteAll(fd!, body));
        }

        var list = new List<Envelope>();
        foreach (string r in rcpts)
        {
            var e = NewEnvelope(r);
            Assert.Equal(QueueResult.Ok, q.EnvelopeCreate(msgid, e));
            list.Add(e);
        }

        return (msgid, list);
    }

    /// <summary>A committed message for bob, then a bounce envelope (set up by <paramref name="bounceSetup"/>) added to it.</summary>
    private static (MsgId Id, List<Envelope> Envelopes, Envelope Bounce) QueuedWithBounce(FsQueueBackend q, Action<Envelope> bounceSetup)
    {
        var (msgid, envs) = Receive(q, Body, "bob@example.org");
        Assert.Equal(QueueResult.Ok, q.MessageCommit(msgid));
        var bounce = NewEnvelope("alice@example.net");
        bounce.Type = EnvelopeType.Bounce;
        bounceSetup(bounce);
        Assert.Equal(QueueResult.Ok, q.EnvelopeCreate(msgid, bounce));
        return (msgid, envs, bounce);
    }

    internal static byte[] ReadMessage(IQueueBackend q, MsgId msgid)
    {
        Assert.Equal(QueueResult.Ok, q.MessageOpenRead(msgid, out SafeFd? fd));
        using (fd)
        {
            var all = new MemoryStream();
            byte[] buf = new byte[4096];
            while (Posix.TryRead(fd!, buf, out int n) == Errno.None && n > 0)
            {
                all.Write(buf, 0, n);
            }

            return all.ToArray();
        }
    }

    [Fact]
    public void UpdateLeavesNoScratchFile()
    {
        using var spool = new TempSpool();
        using var q = spool.Open();
        var (msgid, envs) = Receive(q, Body, "bob@example.org");
        Assert.Equal(QueueResult.Ok, q.MessageCommit(msgid));
        envs[0].Retry = 7;
        envs[0].ErrorLine = "421 4.4.2 timeout";
        Assert.Equal(QueueResult.Ok, q.EnvelopeUpdate(envs[0]));
        Assert.False(File.Exists(spool.Paths.EnvelopeTmp));
    }

    [Fact]
    public void UpdatingAMissingEnvelopeCreatesNoDirectory()
    {
        using var spool = new TempSpool();
        using var q = spool.Open();
        var e = NewEnvelope("x@y");
        e.Id = new EvpId(0x1122334455667788);
        Assert.Equal(QueueStatus.NotFound, q.EnvelopeUpdate(e).Status);
        Assert.False(Directory.Exists(spool.Paths.MessageDir(e.Id.MsgId)));
    }

    [Fact]
    public void DeletingTheLastEnvelopeRemovesTheMessage()
    {
        using var spool = new TempSpool();
        using var q = spool.Open();
        var (msgid, envs) = Receive(q, Body, "bob@example.org", "carol@example.org");
        Assert.Equal(QueueResult.Ok, q.MessageCommit(msgid));
        Assert.Equal(QueueResult.Ok, q.EnvelopeDelete(envs[0].Id));
        Assert.True(File.Exists(spool.Paths.MessageFile(msgid)));
        Assert.Single(q.EnvelopeWalk());
        Assert.Equal(QueueResult.Ok, q.EnvelopeDelete(envs[1].Id));
        Assert.False(Directory.Exists(spool.Paths.MessageDir(msgid)));
        Assert.Empty(q.EnvelopeWalk());

        // What is left in purge/ is kept for reuse: spare files and empty directories.
        Assert.All(Directory.EnumerateFileSystemEntries(spool.Paths.Purge), p =>
        {
            Assert.StartsWith("spare-", Path.GetFileName(p), StringComparison.Ordinal);
            Assert.True(File.Exists(p) || !Directory.EnumerateFileSystemEntries(p).Any());
        });
    }

    [Fact]
    public void DeletedDirectoriesAndFilesAreReusedAndOverwrittenCleanly()
    {
        using var spool = new TempSpool();
        using var q = spool.Open();
        var (first, firstEnvs) = Receive(q, Body, "a-very-long-recipient-address-to-leave-a-longer-envelope@example.org");
        Assert.Equal(QueueResult.Ok, q.MessageCommit(first));
        Assert.Equal(QueueResult.Ok, q.EnvelopeDelete(firstEnvs[0].Id));
        Assert.False(Directory.Exists(spool.Paths.MessageDir(first)));
        string[] Spares(bool dirs) => Directory.EnumerateFileSystemEntries(spool.Paths.Purge)
            .Where(p => Path.GetFileName(p).StartsWith("spare-", StringComparison.Ordinal) && Directory.Exists(p) == dirs).ToArray();
        Assert.Single(Spares(dirs: true));
        Assert.Equal(2, Spares(dirs: false).Length);

        // The next message takes the directory and both files, for its body and its envelope;
        // each file held more than what is written over it now.
        byte[] shorter = Body[..(Body.Length / 2)];
        var (second, envs) = Receive(q, shorter, "bob@example.org");

        // The old body is still behind what was written: a commit that does not say where the
        // new one ends is refused rather than queue the tail of another message.
        Assert.Equal(QueueStatus.Refused, q.MessageCommit(second).Status);
        Assert.Equal(QueueResult.Ok, q.MessageCommit(second, shorter.Length));
        Assert.Empty(Spares(dirs: true));
        Assert.Empty(Spares(dirs: false));

        // What a restart reads back is the new envelope and body alone, not a tail of the old content.
        using var fresh = spool.Open();
        var walked = Assert.Single(fresh.EnvelopeWalk());
        Assert.Equal(QueueStatus.Ok, walked.Status);
        Assert.Equal("bob@example.org", walked.Envelope!.Rcpt.ToString());
        Assert.Equal(shorter, ReadMessage(fresh, second));
    }

    [Fact]
    public void EnvelopesJustCommittedAreServedFromMemoryAsTheyAreOnDisk()
    {
        using var spool = new TempSpool();
        var fs = new FaultyFileSystem();
        using var q = spool.Open(null, fs);
        var (msgid, envs) = Receive(q, Body, "bob@example.org", "carol@example.org");
        Assert.Equal(QueueResult.Ok, q.MessageCommit(msgid));

        int before = fs.Calls;
        Assert.Equal(QueueResult.Ok, q.EnvelopeLoad(envs[0].Id, out var cached));
        Assert.Equal(before, fs.Calls);
        Assert.Equal(1, q.EnvelopeCacheHits);

        // Byte for byte what a fresh process reads from the file.
        using var fresh = spool.Open();
        Assert.Equal(QueueResult.Ok, fresh.EnvelopeLoad(envs[0].Id, out var stored));
        Assert.True(EnvelopeFormat.TryDump(cached!, out byte[] a, out _));
        Assert.True(EnvelopeFormat.TryDump(stored!, out byte[] b, out _));
        Assert.Equal(Encoding.ASCII.GetString(b), Encoding.ASCII.GetString(a));
        Assert.Equal(stored!.Id, cached!.Id);

        // A change to the copy handed out does not reach the cache; an update does.
        cached.Retry = 7;
        Assert.Equal(QueueResult.Ok, q.EnvelopeLoad(envs[0].Id, out var again));
        Assert.Equal(0, again!.Retry);
        Assert.Equal(QueueResult.Ok, q.EnvelopeUpdate(cached));
        Assert.Equal(QueueResult.Ok, q.EnvelopeLoad(envs[0].Id, out again));
        Assert.Equal(7, again!.Retry);

        // The message's envelopes are counted: removing the first lists nothing, the last one
        // takes the message and its directory with it.
        fs.Log.Clear();
        Assert.Equal(QueueResult.Ok, q.EnvelopeDelete(envs[0].Id));
        Assert.DoesNotContain(fs.Log, l => l.StartsWith("list", StringComparison.Ordinal));
        Assert.True(File.Exists(spool.Paths.MessageFile(msgid)));
        Assert.Equal(QueueStatus.NotFound, q.EnvelopeLoad(envs[0].Id, out _).Status);
        Assert.Equal(QueueResult.Ok, q.EnvelopeDelete(envs[1].Id));
        Assert.DoesNotContain(fs.Log, l => l.StartsWith("list", StringComparison.Ordinal));
        Assert.False(Directory.Exists(spool.Paths.MessageDir(msgid)));
    }

    [Fact]
    public void ABounceAddedToACountedMessageKeepsTheMessageUntilItGoes()
    {
        using var spool = new TempSpool();
        using var q = spool.Open();
        var (msgid, envs, bounce) = QueuedWithBounce(q, _ => { });
        Assert.Equal(QueueResult.Ok, q.EnvelopeDelete(envs[0].Id));
        Assert.True(File.Exists(spool.Paths.MessageFile(msgid)));
        Assert.Equal(FsQueueBackendTests.Body, ReadMessage(q, msgid));
        Assert.Equal(QueueResult.Ok, q.EnvelopeDelete(bounce.Id));
        Assert.False(Directory.Exists(spool.Paths.MessageDir(msgid)));
    }

    [Fact]
    public void DeletingAnIncomingMessageRemovesItsBodyAndEnvelopes()
    {
        using var spool = new TempSpool();
        using var q = spool.Open();
        var (msgid, _) = Receive(q, Body, "bob@example.org");
        Assert.True(File.Exists(spool.Paths.MessageTemp(msgid)));
        Assert.Equal(QueueResult.Ok, q.MessageDelete(msgid));
        Assert.Equal(QueueResult.Ok, q.MessageDelete(msgid));
        Assert.Equal(["corrupt/", "incoming/", "purge/", "queue/", "temporary/"], spool.Tree());
    }

    [Fact]
    public void StartPurgesWhatWasNeverCommittedAndKeepsTheQueue()
    {
        using var spool = new TempSpool();
        MsgId committed;
        using (var q = spool.Open())
        {
            var (a, _) = Receive(q, Body, "bob@example.org");
            Assert.Equal(QueueResult.Ok, q.MessageCommit(a));
            committed = a;
            Receive(q, Body, "carol@example.org");
        }

        File.WriteAllText(Path.Combine(spool.Paths.Temporary, "smtpd.leftover"), "x");
        using var again = spool.Open();
        Assert.Empty(Directory.EnumerateFileSystemEntries(spool.Paths.Incoming));
        Assert.Empty(Directory.EnumerateFileSystemEntries(spool.Paths.Temporary));
        Assert.Empty(Directory.EnumerateFileSystemEntries(spool.Paths.Purge));
        var walked = Assert.Single(again.EnvelopeWalk());
        Assert.Equal(committed, walked.Id.MsgId);
    }

    [Fact]
    public void PurgeMovesEntriesAndKeepsTheDirectoriesTheParentMade()
    {
        using var spool = new TempSpool();
        using (var q = spool.Open())
        {
            Receive(q, Body, "bob@example.org");
        }

        // A mode no mkdir of ours would give: the directory must be the same one afterwards.
        File.SetUnixFileMode(spool.Paths.Incoming, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute);
        using var again = spool.Open();
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute,
            File.GetUnixFileMode(spool.Paths.Incoming));
        Assert.Empty(Directory.EnumerateFileSystemEntries(spool.Paths.Incoming));
        Assert.Empty(Directory.EnumerateFileSystemEntries(spool.Paths.Temporary));
    }

    [Fact]
    public void WalkSkipsNamesThatAreNotOurs()
    {
        using var spool = new TempSpool();
        using var q = spool.Open();
        var (msgid, envs) = Receive(q, Body, "bob@example.org");
        Assert.Equal(QueueResult.Ok, q.MessageCommit(msgid));
        string dir = spool.Paths.MessageDir(msgid);
        File.WriteAllText(Path.Combine(dir, "README"), "x");
        File.WriteAllText(Path.Combine(dir, "0000000000000001"), "version: 3\n");
        File.WriteAllText(Path.Combine(dir, envs[0].Id.ToString().ToUpperInvariant()), "x");
        Directory.CreateDirectory(Path.Combine(spool.Paths.Queue, "zz", "12345678"));
        Directory.CreateDirectory(Path.Combine(spool.Paths.Queue, "ab", "cd000000"));
        File.WriteAllText(Path.Combine(spool.Paths.Queue, "ab", "cd000000", "cd00000000000001"), "x");
        var walked = Assert.Single(q.EnvelopeWalk());
        Assert.Equal(envs[0].Id, walked.Id);
        Assert.Equal(QueueStatus.Ok, walked.Status);
    }
}
