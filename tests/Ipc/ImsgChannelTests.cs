using System.Text;
using Smtpd.Interop;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;

namespace Smtpd.Tests.Ipc;

public class ImsgChannelTests
{
    // Generous: on a loaded 2-core machine the test host's thread pool can be slow to run continuations.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static (ImsgChannel A, ImsgChannel B) Pair(int capacity = 4096)
    {
        var (a, b) = Posix.SocketPair();
        var ca = new ImsgChannel(a, "a", capacity);
        var cb = new ImsgChannel(b, "b", capacity);
        ca.Start();
        cb.Start();
        return (ca, cb);
    }

    private static async Task<Imsg> ReceiveAsync(ImsgChannel channel)
    {
        using var cts = new CancellationTokenSource(Patience);
        return await channel.Inbound.ReadAsync(cts.Token);
    }

    [Fact]
    public async Task MessagesArriveInOrderWithTheirHeaderFields()
    {
        var (a, b) = Pair();
        using (a)
        using (b)
        {
            for (ulong i = 0; i < 1000; i++)
            {
                a.Post(new Ping(i, new byte[(int)(i % 300)]), peerId: 5, pid: 99);
            }

            for (ulong i = 0; i < 1000; i++)
            {
                using var msg = await ReceiveAsync(b);
                Assert.Equal(5u, msg.PeerId);
                Assert.Equal(99u, msg.Pid);
                var ping = msg.Read<Ping>();
                Assert.Equal(i, ping.Sequence);
                Assert.Equal((int)(i % 300), ping.Data.Length);
            }
        }
    }

    [Fact]
    public async Task APassedDescriptorArrivesWithItsMessageAndWorks()
    {
        var (a, b) = Pair();
        var (x, y) = Posix.SocketPair();
        using (a)
        using (b)
        using (y)
        {
            a.Post(new Pong(1));
            a.PostEmpty(ImsgType.SetupPeer, peerId: 2, fd: x);
            a.Post(new Pong(3));
            using (var first = await ReceiveAsync(b))
            {
                Assert.Null(first.Fd);
            }

            using var second = await ReceiveAsync(b);
            Assert.Equal(ImsgType.SetupPeer, second.Type);
            using var fd = second.TakeFd();
            Assert.NotNull(fd);
            Posix.SendMsg(fd, "via passed fd"u8);
            var buf = new byte[32];
            int n = Posix.RecvMsg(y, buf, []);
            Assert.Equal("via passed fd", Encoding.ASCII.GetString(buf, 0, n));
            using var third = await ReceiveAsync(b);
            Assert.Null(third.Fd);
            Assert.Equal(3ul, third.Read<Pong>().Sequence);
        }
    }

    [Fact]
    public async Task AMessageLargerThanTheReadBufferArrivesWhole()
    {
        var (a, b) = Pair();
        using (a)
        using (b)
        {
            var big = new byte[3 * 1024 * 1024];
            new Random(7).NextBytes(big);
            a.Post(new SetupConfig(big));
            using var msg = await ReceiveAsync(b);
            Assert.Equal(big, msg.Read<SetupConfig>().Blob);
        }
    }

    [Fact]
    public async Task AFrameLargerThanTheChannelAcceptsEndsItBeforeTheBufferGrows()
    {
        var (x, y) = Posix.SocketPair();
        using var a = new ImsgChannel(x, "a");
        using var b = new ImsgChannel(y, "client", maxFrame: 4096, initialBuffer: 4096);
        a.Start();
        b.Start();
        a.Post(new SetupConfig(new byte[64 * 1024]));
        using var cts = new CancellationTokenSource(Patience);
        var e = await Assert.ThrowsAnyAsync<Exception>(async () => await b.Inbound.ReadAsync(cts.Token));
        var format = Assert.IsType<ImsgFormatException>(e as ImsgFormatException ?? e.InnerException);
        Assert.Contains("larger than the 4096 accepted", format.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFrameWithinTheLimitOfASmallChannelArrives()
    {
        var (x, y) = Posix.SocketPair();
        using var a = new ImsgChannel(x, "a");
        using var b = new ImsgChannel(y, "client", maxFrame: 4096, initialBuffer: 64);
        a.Start();
        b.Start();
        a.Post(new SetupConfig(new byte[3000]));
        using var msg = await ReceiveAsync(b);
        Assert.Equal(3000, msg.Read<SetupConfig>().Blob.Length);
    }

    [Fact]
    public async Task ClosingOneEndCompletesTheOtherSidesInbound()
    {
        var (a, b) = Pair();
        using (b)
        {
            a.Dispose();
            using var cts = new CancellationTokenSource(Patience);
            Assert.False(await b.Inbound.WaitToReadAsync(cts.Token));
        }
    }

    [Fact]
    public async Task AMalformedFrameFailsTheInboundWithAFormatError()
    {
        var (raw, theirs) = Posix.SocketPair();
        using var b = new ImsgChannel(theirs, "b");
        b.Start();
        using (raw)
        {
            var junk = new byte[ImsgHeader.Size];
            new ImsgHeader(ImsgType.Ping, 4, false, 0, 0).Write(junk);
            Posix.SendMsg(raw, junk);
            using var cts = new CancellationTokenSource(Patience);
            await Assert.ThrowsAsync<ImsgFormatException>(async () => await b.Inbound.WaitToReadAsync(cts.Token));
        }
    }

    [Fact]
    public async Task AFrameAnnouncingADescriptorThatNeverCameIsAFormatError()
    {
        var (raw, theirs) = Posix.SocketPair();
        using var b = new ImsgChannel(theirs, "b");
        b.Start();
        using (raw)
        {
            var frame = new byte[ImsgHeader.Size];
            new ImsgHeader(ImsgType.SetupPeer, ImsgHeader.Size, true, 0, 0).Write(frame);
            Posix.SendMsg(raw, frame);
            using var cts = new CancellationTokenSource(Patience);
            var e = await Assert.ThrowsAsync<ImsgFormatException>(async () => await b.Inbound.WaitToReadAsync(cts.Token));
            Assert.Contains("descriptor", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ASenderFacingAPeerThatDoesNotReadIsHeldBackAndMemoryStaysBounded()
    {
        // b never reads: its inbound queue (capacity 4) fills, its reader stops, the socket fills,
        // and a's queue grows past the high-water mark, where SendAsync stops completing.
        var (a, b) = Pair(capacity: 4);
        using (a)
        using (b)
        {
            var payload = new byte[60 * 1024];
            Task? blocked = null;
            for (int i = 0; i < 1000 && blocked is null; i++)
            {
                var t = a.SendAsync(new Ping((ulong)i, payload)).AsTask();
                if (!t.IsCompleted)
                {
                    blocked = t;
                }
            }

            Assert.NotNull(blocked);
            Assert.True(a.QueuedBytes <= ImsgChannel.HighWater + payload.Length + 1024, $"queued {a.QueuedBytes}");
            Assert.False(blocked.IsCompleted);

            // Once b drains, a's sender is released.
            var drain = Task.Run(async () =>
            {
                while (await b.Inbound.WaitToReadAsync())
                {
                    while (b.Inbound.TryRead(out var m))
                    {
                        m.Dispose();
                    }
                }
            });
            Assert.Same(blocked, await Task.WhenAny(blocked, Task.Delay(Patience)));
        }
    }

    [Fact]
    public async Task FramesAndDescriptorsQueuedBehindAFullSocketArriveInOrderFromManySenders()
    {
        // b does not read at first: a's socket fills, later posts queue up and are written by
        // the poller once b drains. Four threads post at once; each one's messages keep their
        // order, every frame is whole and every descriptor arrives with its own message.
        var (a, b) = Pair(capacity: 4);
        using (a)
        using (b)
        {
            var payload = new byte[20 * 1024];
            const int PerSender = 60;
            var senders = Enumerable.Range(0, 4).Select(s => Task.Run(() =>
            {
                for (int i = 0; i < PerSender; i++)
                {
                    ulong seq = ((ulong)s << 32) | (uint)i;
                    if (i % 10 == 0)
                    {
                        var (x, y) = Posix.SocketPair();
                        y.Dispose();
                        a.PostEmpty(ImsgType.SetupPeer, peerId: (uint)s, pid: (uint)i, fd: x);
                    }
                    else
                    {
                        a.Post(new Ping(seq, payload));
                    }
                }
            })).ToArray();
            await Task.WhenAll(senders);

            var next = new int[4];
            for (int n = 0; n < 4 * PerSender; n++)
            {
                using var m = await ReceiveAsync(b);
                int sender;
                int index;
                if (m.Type == ImsgType.SetupPeer)
                {
                    (sender, index) = ((int)m.PeerId, (int)m.Pid);
                    using var fd = m.TakeFd();
                    Assert.NotNull(fd);
                    Assert.True(fd.Fd >= 0);
                }
                else
                {
                    var ping = m.Read<Ping>();
                    (sender, index) = ((int)(ping.Sequence >> 32), (int)(uint)ping.Sequence);
                    Assert.Equal(payload.Length, ping.Data.Length);
                }

                Assert.Equal(next[sender], index);
                next[sender]++;
            }

            Assert.All(next, count => Assert.Equal(PerSender, count));
        }
    }
}
