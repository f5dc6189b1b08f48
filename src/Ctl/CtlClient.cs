// smtpctl's side of the control socket: one request, one answer, framed like every other IPC
// message and stamped with our protocol version (the daemon refuses other versions).
using System.Net.Sockets;
using Smtpd.Interop;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;

namespace Smtpd.Ctl;

internal sealed class CtlClient : IDisposable
{
    private readonly ImsgChannel _channel;
    private readonly string _path;

    private CtlClient(ImsgChannel channel, string path)
    {
        _channel = channel;
        _path = path;
    }

    /// <summary>The socket path: $SMTPD_SOCKET for an instance started with --socket, else the system one.</summary>
    public static string SocketPath =>
        Environment.GetEnvironmentVariable("SMTPD_SOCKET") is { Length: > 0 } p ? p : Runtime.SmtpdOptions.DefaultSocket;

    public static CtlClient? Connect()
    {
        string path = SocketPath;
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }

        var fd = Posix.DupAbove(new SafeFd((int)socket.Handle, ownsHandle: false), 3);
        socket.Dispose();
        Posix.SetNonBlocking(fd, false);
        var channel = new ImsgChannel(fd, "smtpd", inboundCapacity: 16);
        channel.Start();
        return new CtlClient(channel, path);
    }

    public int ShowStatus()
    {
        _channel.PostEmpty(ImsgType.CtlShowStatus, ImsgVersion.Current);
        using var reply = Receive();
        if (reply.Type == ImsgType.CtlOk)
        {
            return Failed(reply.Read<CtlResult>());
        }

        var status = reply.Read<CtlStatus>();
        Console.WriteLine($"MDA {(status.MdaPaused ? "paused" : "running")}");
        Console.WriteLine($"MTA {(status.MtaPaused ? "paused" : "running")}");
        Console.WriteLine($"SMTP {(status.SmtpPaused ? "paused" : "running")}");
        return 0;
    }

    /// <summary>`smtpctl show queue [msgid]`: one line per envelope, as the daemon sends them in batches.</summary>
    public int ShowQueue(ulong msgid = 0)
    {
        _channel.PostEmpty(ImsgType.CtlShowQueue, ImsgVersion.Current);
        string prefix = msgid == 0 ? string.Empty : msgid.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        while (true)
        {
            using var reply = Receive();
            if (reply.Type == ImsgType.CtlOk)
            {
                return Failed(reply.Read<CtlResult>());
            }

            var lines = reply.Read<CtlQueueLines>();
            foreach (string line in lines.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    Console.Out.Write(line + "\n");
                }
            }

            if (lines.Last)
            {
                return 0;
            }
        }
    }

    /// <summary>`smtpctl show hosts|relays|routes|hoststats`: the mta's lines as it sends them (srv_show_cmd).</summary>
    public int ShowMta(CtlMtaShowKind kind)
    {
        _channel.Post(new CtlMtaShow(kind), ImsgVersion.Current);
        while (true)
        {
            using var reply = Receive();
            if (reply.Type == ImsgType.CtlOk)
            {
                return Failed(reply.Read<CtlResult>());
            }

            var lines = reply.Read<CtlMtaShowLines>();
            Console.Out.Write(lines.Text);
            if (lines.Last)
            {
                return 0;
            }
        }
    }

    /// <summary>`smtpctl show stats`: every counter as key=value, uptime among them where it sorts (do_show_stats).</summary>
    public int ShowStats()
    {
        _channel.PostEmpty(ImsgType.CtlGetStats, ImsgVersion.Current);
        using var reply = Receive();
        if (reply.Type == ImsgType.CtlOk)
        {
            return Failed(reply.Read<CtlResult>());
        }

        var stats = reply.Read<CtlStats>();
        long uptime = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - stats.StartedUnix;
        foreach (string line in StatsText.Lines(stats.Counters, uptime))
        {
            Console.Out.Write(line + "\n");
        }

        return 0;
    }

    /// <summary>`smtpctl monitor`: the counters' changes each second, until interrupted (do_monitor).</summary>
    public int Monitor()
    {
        var last = default(CtlDigest);
        for (long count = 0; ; count++)
        {
            _channel.PostEmpty(ImsgType.CtlGetDigest, ImsgVersion.Current);
            using (var reply = Receive())
            {
                if (reply.Type == ImsgType.CtlOk)
                {
                    return Failed(reply.Read<CtlResult>());
                }

                var digest = reply.Read<CtlDigest>();
                Console.Out.Write(StatsText.MonitorLines(count, last, digest));
                Console.Out.Flush();
                last = digest;
            }

            Thread.Sleep(1000);
        }
    }

    /// <summary>schedule, remove, pause envelope, resume envelope: "N envelope(s) VERB" (do_schedule and friends).</summary>
    public int Envelopes(CtlEnvelopeAction action, ulong id, string verb)
    {
        _channel.Post(new CtlEnvelopeCommand(action, id), ImsgVersion.Current);
        using var reply = Receive();
        if (reply.Type == ImsgType.CtlOk)
        {
            return Failed(reply.Read<CtlResult>());
        }

        long n = reply.Read<CtlCount>().Count;
        Console.Out.Write($"{n} envelope{(n > 1 ? "s" : string.Empty)} {verb}\n");
        return 0;
    }

    /// <summary>discover: "N envelope(s) discovered", plural unless exactly one (do_discover).</summary>
    public int Discover(ulong id)
    {
        _channel.PostAs(ImsgType.CtlDiscover, new CtlId(id), ImsgVersion.Current);
        using var reply = Receive();
        if (reply.Type == ImsgType.CtlOk)
        {
            return Failed(reply.Read<CtlResult>());
        }

        long n = reply.Read<CtlCount>().Count;
        Console.Out.Write($"{n} envelope{(n != 1 ? "s" : string.Empty)} discovered\n");
        return 0;
    }

    /// <summary>A request without payload answered by ok or failed.</summary>
    public int Command(ImsgType type)
    {
        _channel.PostEmpty(type, ImsgVersion.Current);
        return CheckResult();
    }

    /// <summary>A trace or profile mask answered by ok or failed.</summary>
    public int Command(ImsgType type, uint flags)
    {
        _channel.PostAs(type, new CtlFlags(flags), ImsgVersion.Current);
        return CheckResult();
    }

    public void Dispose() => _channel.Dispose();

    /// <summary>A command answered by ok or failed (srv_check_result): "command succeeded" or "command failed: why".</summary>
    public int Command<T>(T request)
        where T : IImsgPayload<T>
    {
        _channel.Post(request, ImsgVersion.Current);
        return CheckResult();
    }

    private int CheckResult()
    {
        using var reply = Receive();
        var result = reply.Read<CtlResult>();
        if (!result.Ok)
        {
            return Failed(result);
        }

        Console.WriteLine("command succeeded");
        return 0;
    }

    private static int Failed(CtlResult result)
    {
        Console.WriteLine(result.Text.Length > 0 ? $"command failed: {result.Text}" : "command failed");
        return 1;
    }

    private Imsg Receive()
    {
        var inbound = _channel.Inbound;
        if (inbound.WaitToReadAsync().AsTask().GetAwaiter().GetResult() && inbound.TryRead(out var msg))
        {
            return msg;
        }

        Console.Error.WriteLine(SmtpCtl.Name + ": pipe closed");
        Environment.Exit(1);
        throw new InvalidOperationException("unreachable");
    }
}
