// A client connection driven by an event loop's own epoll: reads that wait for data, writes that
// wait for room, a read given up by its token, and the end of the stream, over real TCP.
using System.Net;
using System.Net.Sockets;
using Smtpd.Dispatcher;
using Smtpd.Ipc;
using Smtpd.Runtime;

namespace Smtpd.Tests.Dispatcher;

public class LoopSocketStreamTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static (Socket Server, Socket Client) Connected()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        return (listener.Accept(), client);
    }

    /// <summary>Runs <paramref name="body"/> on an event loop that drives a poller of its own.</summary>
    private static void OnLoop(Func<ImsgPoller, Task> body)
    {
        var poller = ImsgPoller.CreateDriven();
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                EventLoop.Run(
                    async () =>
                    {
                        await body(poller);
                        return 0;
                    },
                    poller);
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        Assert.True(thread.Join(Patience), "the loop never finished");
        if (failure is not null)
        {
            throw new Xunit.Sdk.XunitException("on the loop: " + failure);
        }
    }

    [Fact]
    public void AReadWaitsForDataAndAWriteWaitsForRoom()
    {
        var (server, client) = Connected();
        using var peer = client;
        byte[] big = new byte[8 * 1024 * 1024];
        new Random(7).NextBytes(big);
        OnLoop(async poller =>
        {
            using var stream = LoopSocketStream.Create(server, poller);

            // Nothing sent yet: the read waits until the peer writes, from another thread.
            var buffer = new byte[64];
            var read = stream.ReadAsync(buffer);
            Assert.False(read.IsCompleted);
            _ = Task.Run(() => peer.Send("EHLO x\r\n"u8));
            int n = await read;
            Assert.Equal("EHLO x\r\n", System.Text.Encoding.ASCII.GetString(buffer, 0, n));

            // More than the socket buffers hold: the write waits for the peer to read.
            var reader = Task.Run(() =>
            {
                var got = new byte[big.Length];
                int total = 0;
                while (total < got.Length)
                {
                    total += peer.Receive(got.AsSpan(total));
                }

                return got;
            });
            await stream.WriteAsync(big);
            Assert.Equal(big, await reader);

            // The peer closes: end of stream.
            peer.Shutdown(SocketShutdown.Send);
            Assert.Equal(0, await stream.ReadAsync(buffer));
        });
    }

    [Fact]
    public void AWaitingReadEndsWhenItsTokenIsCancelledAndTheStreamStaysUsable()
    {
        var (server, client) = Connected();
        using var peer = client;
        OnLoop(async poller =>
        {
            using var stream = LoopSocketStream.Create(server, poller);
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            var buffer = new byte[16];
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => _ = await stream.ReadAsync(buffer.AsMemory(), cts.Token));

            peer.Send("QUIT\r\n"u8);
            int n = await stream.ReadAsync(buffer);
            Assert.Equal("QUIT\r\n", System.Text.Encoding.ASCII.GetString(buffer, 0, n));
        });
    }
}
