// IPC throughput between two processes: this program re-executes itself as the peer with a
// socketpair at fd 3 (as the daemon starts its roles) and streams Ping messages through
// ImsgChannel. Prints messages/s one way, round trips/s, and allocation per message.
using System.Diagnostics;
using Smtpd.Interop;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;

namespace Smtpd.Bench;

internal static class IpcBench
{
    public static async Task<int> RunAsync(int count, int payloadBytes)
    {
        var (mine, theirs) = Posix.SocketPair();
        var env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>().Select(e => $"{e.Key}={e.Value}").ToList();
        int pid = Posix.Spawn(Environment.ProcessPath!, ["smtpd.Bench", "ipc-peer"], env, [(theirs, 3)]);
        theirs.Dispose();
        using var channel = new ImsgChannel(mine, "peer");
        channel.Start();
        var payload = new byte[payloadBytes];

        // Warm-up: JIT and socket buffers.
        await StreamAsync(channel, 20_000, payload);

        long allocBefore = GC.GetTotalAllocatedBytes(precise: true);
        int gcBefore = GC.CollectionCount(0);
        var sw = Stopwatch.StartNew();
        await StreamAsync(channel, count, payload);
        sw.Stop();
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocBefore;
        double streamSeconds = sw.Elapsed.TotalSeconds;
        double oneWay = count / streamSeconds;

        int roundTrips = Math.Max(1, count / 20);
        sw.Restart();
        for (int i = 0; i < roundTrips; i++)
        {
            channel.Post(new Ping((ulong)i, payload));
            using var reply = await channel.Inbound.ReadAsync();
            _ = reply.Read<Pong>();
        }

        sw.Stop();
        double rtt = roundTrips / sw.Elapsed.TotalSeconds;

        channel.Close();
        Posix.WaitPid(pid);
        Console.WriteLine($"ipc one-way: {count} messages of {payloadBytes} payload bytes in {streamSeconds:F2}s ... {oneWay:N0} msg/s");
        Console.WriteLine($"ipc round trip (window 1): {rtt:N0} round trips/s ({1e6 / rtt:F1} us each)");
        Console.WriteLine($"sender allocation: {allocated / (double)count:F0} bytes/msg, gen0 collections: {GC.CollectionCount(0) - gcBefore}");
        return oneWay >= 100_000 ? 0 : 1;
    }

    /// <summary>Sends <paramref name="count"/> pings flagged one-way (sequence high bit), then one asking for an acknowledgement.</summary>
    private static async Task StreamAsync(ImsgChannel channel, int count, byte[] payload)
    {
        const ulong OneWay = 1UL << 63;
        for (int i = 0; i < count; i++)
        {
            await channel.SendAsync(new Ping(OneWay | (uint)i, payload));
        }

        channel.Post(new Ping((ulong)count, payload));
        using var ack = await channel.Inbound.ReadAsync();
        if (ack.Read<Pong>().Sequence != (ulong)count)
        {
            throw new InvalidOperationException("peer lost messages");
        }
    }

    /// <summary>The peer: answers every ping without the one-way flag.</summary>
    public static async Task<int> PeerAsync()
    {
        using var channel = new ImsgChannel(new SafeFd(3), "bench");
        channel.Start();
        await foreach (var msg in channel.Inbound.ReadAllAsync())
        {
            using (msg)
            {
                var ping = msg.Read<Ping>();
                if ((ping.Sequence & (1UL << 63)) == 0)
                {
                    channel.Post(new Pong(ping.Sequence));
                }
            }
        }

        return 0;
    }
}
