// An in-process LMTP server for one connection at a time, on a UNIX socket or loopback TCP: it
// records every command and the raw DATA bytes, and answers from a table that tests override
// (a null answer means "say nothing", to test timeouts; Close means hang up).
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Smtpd.Tests.Mda;

internal sealed class FakeLmtpServer : IDisposable
{
    public const string Close = "<close>";

    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    private FakeLmtpServer(Socket listener, string destination)
    {
        _listener = listener;
        Destination = destination;
        _serving = Task.Run(ServeAsync);
    }

    /// <summary>What LmtpDelivery is given: the socket path or "127.0.0.1:port".</summary>
    public string Destination { get; }

    /// <summary>Answers by verb ("banner", "LHLO", "MAIL", "RCPT", "DATA", ".", "QUIT"); lines joined with CRLF.</summary>
    public Dictionary<string, string?> Replies { get; } = new(StringComparer.Ordinal)
    {
        ["banner"] = "220 fake.example.org LMTP ready",
        ["LHLO"] = "250-fake.example.org\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250 8BITMIME",
        ["MAIL"] = "250 2.1.0 OK",
        ["RCPT"] = "250 2.1.5 OK",
        ["DATA"] = "354 OK",
        ["."] = "250 2.0.0 <alice> Saved",
        ["QUIT"] = "221 2.0.0 Bye",
    };

    public List<string> Commands { get; } = [];

    /// <summary>When set, the server stops reading the message after this many bytes, answers "." and hangs up.</summary>
    public int? AbortDataAfter { get; set; }

    /// <summary>Everything sent after the 354, up to and including the final ".\r\n".</summary>
    public byte[] Data { get; private set; } = [];

    public static FakeLmtpServer Unix(string path)
    {
        var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        s.Bind(new UnixDomainSocketEndPoint(path));
        s.Listen();
        return new FakeLmtpServer(s, path);
    }

    public static FakeLmtpServer Tcp()
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        s.Listen();
        return new FakeLmtpServer(s, "127.0.0.1:" + ((IPEndPoint)s.LocalEndPoint!).Port);
    }

    private async Task ServeAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                using var conn = await _listener.AcceptAsync(_stop.Token);
                await using var stream = new NetworkStream(conn);
                await ConverseAsync(stream, _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ConverseAsync(NetworkStream stream, CancellationToken ct)
    {
        var pending = new List<byte>();
        if (!await AnswerAsync(stream, "banner", ct))
        {
            return;
        }

        while (true)
        {
            string? line = await ReadLineAsync(stream, pending, ct);
            if (line is null)
            {
                return;
            }

            Commands.Add(line);
            string verb = line.Split(' ', ':')[0].ToUpperInvariant();
            if (!await AnswerAsync(stream, verb, ct) || verb == "QUIT")
            {
                return;
            }

            if (verb == "DATA" && Replies["DATA"]!.StartsWith('3') && AbortDataAfter is { } limit)
            {
                await DrainAsync(stream, pending, limit, ct);
                await AnswerAsync(stream, ".", ct);
                return;
            }

            if (verb == "DATA" && Replies["DATA"]!.StartsWith('3'))
            {
                Data = await ReadDataAsync(stream, pending, ct);
                if (!await AnswerAsync(stream, ".", ct))
                {
                    return;
                }
            }
        }
    }

    /// <summary>Sends the table's answer; false when the connection should end (Close, or silence until the client leaves).</summary>
    private async Task<bool> AnswerAsync(NetworkStream stream, string verb, CancellationToken ct)
    {
        string? reply = Replies.GetValueOrDefault(verb, "500 5.5.1 Unknown command");
        if (reply == Close)
        {
            return false;
        }

        if (reply is null)
        {
            // Silence: wait for the client to give up and close.
            var sink = new byte[1024];
            while (await stream.ReadAsync(sink, ct) > 0)
            {
            }

            return false;
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(reply + "\r\n"), ct);
        return true;
    }

    private static async Task<string?> ReadLineAsync(NetworkStream stream, List<byte> pending, CancellationToken ct)
    {
        var buf = new byte[4096];
        while (true)
        {
            int lf = pending.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                string line = Encoding.UTF8.GetString([.. pending.Take(lf)]).TrimEnd('\r');
                pending.RemoveRange(0, lf + 1);
                return line;
            }

            int n = await stream.ReadAsync(buf, ct);
            if (n == 0)
            {
                return null;
            }

            pending.AddRange(buf.AsSpan(0, n));
        }
    }

    private static async Task DrainAsync(NetworkStream stream, List<byte> pending, int limit, CancellationToken ct)
    {
        var buf = new byte[4096];
        int seen = pending.Count;
        while (seen < limit)
        {
            int n = await stream.ReadAsync(buf, ct);
            if (n == 0)
            {
                return;
            }

            seen += n;
        }
    }

    private static async Task<byte[]> ReadDataAsync(NetworkStream stream, List<byte> pending, CancellationToken ct)
    {
        var buf = new byte[4096];
        while (true)
        {
            // The terminator is CRLF.CRLF, or ".\r\n" as the very first line of an empty message.
            byte[] seen = [.. "\r\n"u8, .. pending];
            int end = seen.AsSpan().IndexOf("\r\n.\r\n"u8);
            if (end >= 0)
            {
                int length = end + 5 - 2;
                byte[] data = [.. pending.Take(length)];
                pending.RemoveRange(0, length);
                return data;
            }

            int n = await stream.ReadAsync(buf, ct);
            if (n == 0)
            {
                return [.. pending];
            }

            pending.AddRange(buf.AsSpan(0, n));
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        try
        {
            _serving.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
    }
}
