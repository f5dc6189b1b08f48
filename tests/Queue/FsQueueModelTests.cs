using Smtpd.Queue;

namespace Smtpd.Tests.Queue;

// Random sequences of queue operations (seeded) checked against a trivial in-memory model of what
// the spool should hold, including restarts that must forget everything uncommitted.
public class FsQueueModelTests
{
    private sealed class Model
    {
        public Dictionary<MsgId, Dictionary<EvpId, ushort>> Incoming { get; } = [];

        public Dictionary<MsgId, Dictionary<EvpId, ushort>> Queued { get; } = [];
    }

    private static T Pick<T>(Random rng, IEnumerable<T> items)
    {
        var list = items.ToList();
        return list[rng.Next(list.Count)];
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    public void RandomOperationsMatchTheModel(int seed, bool layered)
    {
        var options = layered ? new QueueOptions { Compression = true, EncryptionKey = QueueCodecTests.Key } : null;
        var rng = new Random(seed);
        var model = new Model();
        using var spool = new TempSpool();
        var q = spool.Open(options);
        try
        {
            for (int step = 0; step < 150; step++)
            {
                switch (rng.Next(8))
                {
                    case 0:
                    case 1:
                    {
                        string[] rcpts = Enumerable.Range(0, rng.Next(1, 4)).Select(i => "r" + i + "@example.org").ToArray();
                        var (msgid, envs) = FsQueueBackendTests.Receive(q, FsQueueBackendTests.Body, rcpts);
                        model.Incoming[msgid] = envs.ToDictionary(e => e.Id, _ => (ushort)0);
                        break;
                    }

                    case 2 when model.Incoming.Count > 0:
                    {
                        var msgid = Pick(rng, model.Incoming.Keys);
                        Assert.Equal(QueueResult.Ok, q.MessageCommit(msgid, FsQueueBackendTests.Body.Length));
                        model.Queued[msgid] = model.Incoming[msgid];
                        model.Incoming.Remove(msgid);
                        break;
                    }

                    case 3 when model.Incoming.Count > 0:
                    {
                        var msgid = Pick(rng, model.Incoming.Keys);
                        Assert.Equal(QueueResult.Ok, q.MessageDelete(msgid));
                        model.Incoming.Remove(msgid);
                        break;
                    }

                    case 4 when model.Queued.Count > 0:
                    {
                        var msgid = Pick(rng, model.Queued.Keys);
                        var evpid = Pick(rng, model.Queued[msgid].Keys);
                        Assert.Equal(QueueResult.Ok, q.EnvelopeLoad(evpid, out var e));
                        e!.Retry = (ushort)rng.Next(1, 1000);
                        Assert.Equal(QueueResult.Ok, q.EnvelopeUpdate(e));
                        model.Queued[msgid][evpid] = e.Retry;
                        break;
                    }

                    case 5 when model.Queued.Count > 0:
                    {
                        var msgid = Pick(rng, model.Queued.Keys);
                        var evpid = Pick(rng, model.Queued[msgid].Keys);
                        Assert.Equal(QueueResult.Ok, q.EnvelopeDelete(evpid));
                        model.Queued[msgid].Remove(evpid);
                        if (model.Queued[msgid].Count == 0)
                        {
                            model.Queued.Remove(msgid);
                        }

                        break;
                    }

                    case 6 when model.Queued.Count > 0:
                    {
                        var msgid = Pick(rng, model.Queued.Keys);
                        var bounce = FsQueueBackendTests.NewEnvelope("alice@example.net");
                        bounce.Type = EnvelopeType.Bounce;
                        Assert.Equal(QueueResult.Ok, q.EnvelopeCreate(msgid, bounce));
                        model.Queued[msgid][bounce.Id] = 0;
                        break;
                    }

                    case 7:
                        q.Dispose();
                        q = spool.Open(options);
                        model.Incoming.Clear();
                        break;
                }

                var expected = model.Queued.SelectMany(m => m.Value).OrderBy(kv => kv.Key.Value).Select(kv => (kv.Key, kv.Value)).ToList();
                var walked = q.EnvelopeWalk().ToList();
                Assert.All(walked, w => Assert.Equal(QueueStatus.Ok, w.Status));
                Assert.Equal(expected, walked.OrderBy(w => w.Id.Value).Select(w => (w.Id, w.Envelope!.Retry)).ToList());
            }

            foreach (var msgid in model.Queued.Keys)
            {
                Assert.Equal(FsQueueBackendTests.Body, FsQueueBackendTests.ReadMessage(q, msgid));
            }
        }
        finally
        {
            q.Dispose();
        }
    }
}
