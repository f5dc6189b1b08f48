// What every queue backend promises (IQueueBackend), run against each of them: the spool on disk
// and the in-memory queue of `smtpd -B queue=ram`. What only the filesystem queue does (its layout,
// recycling, crash and disk-full behaviour) is tested in the FsQueue* classes.
using Smtpd.Interop;
using Smtpd.Mime;
using Smtpd.Queue;
using static Smtpd.Tests.Queue.FsQueueBackendTests;

namespace Smtpd.Tests.Queue;

public sealed class QueueBackendContractTests : IDisposable
{
    private readonly TempSpool _spool = new();

    public static TheoryData<string> Backends => new() { "fs", "ram" };

    public void Dispose() => _spool.Dispose();

    private IQueueBackend Open(string backend, QueueOptions? options = null)
    {
        if (backend == "fs")
        {
            return _spool.Open(options);
        }

        var ram = new RamQueueBackend(options);
        Assert.Equal(QueueResult.Ok, ram.Init());
        return ram;
    }

    /// <summary>A message received and committed with one envelope per recipient.</summary>
    private static (MsgId Id, List<Envelope> Envelopes) Queued(IQueueBackend q, params string[] rcpts)
    {
        var (msgid, envs) = Receive(q, Body, rcpts);
        Assert.Equal(QueueResult.Ok, q.MessageCommit(msgid));
        return (msgid, envs);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void CommittedMessageIsWalkedLoadedAndReadBack(string backend)
    {
        using var q = Open(backend, new QueueOptions { Clock = () => 1700000000 });
        var (msgid, envs) = Receive(q, Body, "bob@example.org", "carol@example.org");
        Assert.All(envs, e => Assert.Equal(msgid, e.Id.MsgId));
        Assert.All(envs, e => Assert.Equal(1700000000, e.CreationTime));
        Assert.Empty(q.EnvelopeWalk());

        Assert.Equal(QueueResult.Ok, q.MessageCommit(msgid));

        var walked = q.EnvelopeWalk().ToList();
        Assert.Equal(2, walked.Count);
        Assert.All(walked, w => Assert.Equal(QueueStatus.Ok, w.Status));
        Assert.Equal(envs.Select(e => e.Id.Value).Order(), walked.Select(w => w.Id.Value).Order());
        Assert.Equal(QueueResult.Ok, q.EnvelopeLoad(envs[1].Id, out var loaded));
        Assert.Equal(MailAddr.Parse("carol@example.org"), loaded!.Rcpt);
        Assert.Equal(envs[1].Id, loaded.Id);
        Assert.Equal(Body, ReadMessage(q, msgid));
        Assert.Equal(2, q.MessageWalk(msgid).Count());
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void TheBodyEndsWhereItsWriterSaidItEnds(string backend)
    {
        using var q = Open(backend);
        var (msgid, _) = Receive(q, Body, "bob@example.org");
        Assert.Equal(QueueResult.Ok, q.MessageCommit(msgid, 10));
        Assert.Equal(Body[..10], ReadMessage(q, msgid));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void EachReaderGetsTheWholeMessageFromItsStart(string backend)
    {
        using var q = Open(backend);
        var (msgid, _) = Queued(q, "bob@example.org", "carol@example.org");

        // Two deliveries of the same message at once: neither moves the other's position.
        Assert.Equal(QueueResult.Ok, q.MessageOpenRead(msgid, out SafeFd? first));
        using (first)
        {
            byte[] half = new byte[Body.Length / 2];
            Assert.Equal(Errno.None, Posix.TryRead(first!, half, out int n));
            Assert.Equal(half.Length, n);
            Assert.Equal(Body, ReadMessage(q, msgid));
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void UpdateReplacesTheEnvelope(string backend)
    {
        using var q = Open(backend);
        var (msgid, envs) = Queued(q, "bob@example.org");
        envs[0].Retry = 7;
        envs[0].ErrorLine = "421 4.4.2 timeout";
        Assert.Equal(QueueResult.Ok, q.EnvelopeUpdate(envs[0]));
        Assert.Equal(QueueResult.Ok, q.EnvelopeLoad(envs[0].Id, out var e));
        Assert.Equal(7, e!.Retry);
        Assert.Equal("421 4.4.2 timeout", e.ErrorLine);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void UpdateRefusesInjectedNewlinesAndKeepsTheStoredEnvelope(string backend)
    {
        using var q = Open(backend);
        var (msgid, envs) = Queued(q, "bob@example.org");
        envs[0].ErrorLine = "421 x\nmda-exec: /bin/sh";
        var r = q.EnvelopeUpdate(envs[0]);
        Assert.Equal(QueueStatus.Refused, r.Status);
        Assert.Equal(QueueResult.Ok, q.EnvelopeLoad(envs[0].Id, out var e));
        Assert.Equal(string.Empty, e!.ErrorLine);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void UpdateOrLoadOfAMissingEnvelopeIsNotFound(string backend)
    {
        using var q = Open(backend);
        var e = NewEnvelope("x@y");
        e.Id = new EvpId(0x1122334455667788);
        Assert.Equal(QueueStatus.NotFound, q.EnvelopeUpdate(e).Status);
        Assert.Equal(QueueStatus.NotFound, q.EnvelopeLoad(e.Id, out _).Status);
        Assert.Equal(QueueStatus.NotFound, q.MessageOpenRead(e.Id.MsgId, out _).Status);
        Assert.Equal(QueueStatus.NotFound, q.MessageCommit(e.Id.MsgId).Status);
        Assert.Equal(QueueStatus.NotFound, q.EnvelopeCreate(e.Id.MsgId, e).Status);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void DeletingTheLastEnvelopeRemovesTheMessage(string backend)
    {
        using var q = Open(backend);
        var (msgid, envs) = Queued(q, "bob@example.org", "carol@example.org");
        Assert.Equal(QueueResult.Ok, q.EnvelopeDelete(envs[0].Id));
        Assert.Equal(Body, ReadMessage(q, msgid));
        Assert.Single(q.EnvelopeWalk());
        Assert.Equal(QueueResult.Ok, q.EnvelopeDelete(envs[1].Id));
        Assert.Equal(QueueStatus.NotFound, q.MessageOpenRead(msgid, out _).Status);
        Assert.Empty(q.EnvelopeWalk());
        Assert.Empty(q.MessageWalk(msgid));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void BounceEnvelopesCanBeAddedToAQueuedMessage(string backend)
    {
        using var q = Open(backend);
        var (msgid, envs) = Queued(q, "bob@example.org");
        var bounce = NewEnvelope("alice@example.net");
        bounce.Type = EnvelopeType.Bounce;
        bounce.BounceType = BounceType.Delayed;
        bounce.BounceDelay = 3600;
        Assert.Equal(QueueResult.Ok, q.EnvelopeCreate(msgid, bounce));
        Assert.Equal(QueueResult.Ok, q.EnvelopeLoad(bounce.Id, out var e));
        Assert.Equal(3600, e!.BounceDelay);
        Assert.Equal(2, q.EnvelopeWalk().Count());

        // The message stays for the bounce once the original recipient is done.
        Assert.Equal(QueueResult.Ok, q.EnvelopeDelete(envs[0].Id));
        Assert.Equal(Body, ReadMessage(q, msgid));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void DeletingAnIncomingMessageForgetsItAndIsIdempotent(string backend)
    {
        using var q = Open(backend);
        var (msgid, _) = Receive(q, Body, "bob@example.org");
        Assert.Equal(QueueResult.Ok, q.MessageDelete(msgid));
        Assert.Equal(QueueResult.Ok, q.MessageDelete(msgid));
        Assert.Equal(QueueStatus.NotFound, q.MessageCommit(msgid).Status);
        Assert.Equal(QueueStatus.NotFound, q.EnvelopeCreate(msgid, NewEnvelope("bob@example.org")).Status);
        Assert.Empty(q.EnvelopeWalk());
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void CommitWithoutEnvelopesIsRefused(string backend)
    {
        using var q = Open(backend);
        var (msgid, _) = Receive(q, Body);
        Assert.Equal(QueueStatus.Refused, q.MessageCommit(msgid).Status);
        Assert.Equal(QueueStatus.NotFound, q.MessageOpenRead(msgid, out _).Status);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void TheCommitThreadCommitsManyMessagesAtOnce(string backend)
    {
        using var q = Open(backend);
        var ids = Enumerable.Range(0, 20).Select(_ => Receive(q, Body, "bob@example.org").Id).ToList();
        using var committer = new QueueCommitter(q);
        var all = ids.Select(id => committer.Commit(id, Body.Length)).ToList();
        Assert.True(Task.WhenAll(all).Wait(TimeSpan.FromSeconds(30)));
        Assert.All(all, t => Assert.Equal(QueueResult.Ok, t.Result));
        Assert.Equal(20, q.EnvelopeWalk().Count());
        Assert.All(ids, id => Assert.Equal(Body, ReadMessage(q, id)));
    }
}
