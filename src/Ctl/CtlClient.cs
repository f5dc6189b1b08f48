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

    /// <summary>Root, or the owner of the socket (an unprivileged smtpd run by the same user).</summary>
    public bool MayAdminister
    {
        get
        {
            uint euid = Posix.GetEUid();
            if (euid == 0)
            {
                return true;
            }

            return Posix.TryLStat(_path)?.Uid == euid;
        }
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

    /// <summary>`smtpctl show queue`: one line per envelope, as the daemon sends them in batches.</summary>
    public int ShowQueue()
    {
        _channel.PostEmpty(ImsgType.CtlShowQueue, ImsgVersion.Current);
        while (true)
        {
            using var reply = Receive();
            if (reply.Type == ImsgType.CtlOk)
            {
                return Failed(reply.Read<CtlResult>());
            }

            var lines = reply.Read<CtlQueueLines>();
            Console.Out.Write(lines.Text);
            if (lines.Last)
            {
                return 0;
            }
        }
    }

    public int SetVerbose(int level) => Command(new CtlVerbose(level));

    /// <summary>`smtpctl update table NAME`: the lookup agent re-reads the table.</summary>
    public int UpdateTable(string name) => Command(new CtlUpdateTable(name));

    public void Dispose() => _channel.Dispose();

    /// <summary>A command answered by ok or failed (srv_check_result): "command succeeded" or "command failed: why".</summary>
    private int Command<T>(T request)
        where T : IImsgPayload<T>
    {
        _channel.Post(request, ImsgVersion.Current);
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

        Console.Error.WriteLine("smtpctl: smtpd closed the control connection");
        Environment.Exit(1);
        throw new InvalidOperationException("unreachable");
    }
}
