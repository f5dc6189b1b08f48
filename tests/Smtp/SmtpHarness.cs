// Runs one SmtpSession against an in-memory client: send lines, read replies, or feed a whole
// transcript at once and collect everything the server said.
using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Smtpd.Smtp;

namespace Smtpd.Tests.Smtp;

internal sealed class SmtpHarness : IAsyncDisposable
{
    public static readonly SmtpListenerOptions DefaultOptions = new() { Hostname = "mx.example.org", AuthFailureDelay = TimeSpan.Zero };

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);
    private readonly InMemoryDuplexPipe _client;
    private readonly CancellationTokenSource _sessionCts = new();

    private SmtpHarness(SmtpListenerOptions options, FakeSmtpHost host, string address, TimeProvider? time)
    {
        (InMemoryDuplexPipe server, _client) = InMemoryDuplexPipe.CreatePair();
        Host = host;
        host.Transport ??= server;
        Session = new SmtpSession(0x0123456789abcdef, options, host, server, address, time);
        Running = Task.Run(() => Session.RunAsync(_sessionCts.Token));
    }

    public FakeSmtpHost Host { get; }

    public SmtpSession Session { get; }

    public Task Running { get; }

    public static SmtpHarness Start(SmtpListenerOptions? options = null, FakeSmtpHost? host = null, string address = "192.0.2.1", TimeProvider? time = null) =>
        new(options ?? DefaultOptions, host ?? new FakeSmtpHost(), address, time);

    /// <summary>Feeds <paramref name="input"/> in one write, closes the connection and returns every reply line.</summary>
    public static async Task<(List<string> Lines, FakeSmtpHost Host)> TranscriptAsync(string input, SmtpListenerOptions? options = null, FakeSmtpHost? host = null)
    {
        await using SmtpHarness h = Start(options, host);
        await h.SendAsync(input);
        await h.CloseAsync();
        await h.WaitAsync();
        return (await h.ReadAllLinesAsync(), h.Host);
    }

    /// <summary>The reply to the last line of <paramref name="input"/>, after a greeting and whatever came before.</summary>
    public static async Task<string> LastReplyAsync(string input, SmtpListenerOptions? options = null, FakeSmtpHost? host = null)
    {
        (List<string> lines, _) = await TranscriptAsync(input, options, host);
        return string.Join("\n", SplitReplies(lines)[^1]);
    }

    public static List<List<string>> SplitReplies(List<string> lines)
    {
        var replies = new List<List<string>>();
        var current = new List<string>();
        foreach (string line in lines)
        {
            current.Add(line);
            if (line.Length < 4 || line[3] != '-')
            {
                replies.Add(current);
                current = [];
            }
        }

        return replies;
    }

    public async Task SendAsync(string raw)
    {
        await _client.Output.WriteAsync(Encoding.Latin1.GetBytes(raw));
    }

    public Task SendLineAsync(string line) => SendAsync(line + "\r\n");

    /// <summary>Sends a line and returns the complete reply, lines joined with "\n".</summary>
    public async Task<string> ExchangeAsync(string line)
    {
        await SendLineAsync(line);
        return await ReadReplyAsync();
    }

    public async Task<string> ReadReplyAsync()
    {
        var lines = new List<string>();
        while (true)
        {
            string? line = await ReadLineAsync() ?? throw new InvalidOperationException("connection closed, got: " + string.Join("|", lines));
            lines.Add(line);
            if (line.Length < 4 || line[3] != '-')
            {
                return string.Join("\n", lines);
            }
        }
    }

    /// <summary>One line from the server without its CRLF, or null at end of stream.</summary>
    public async Task<string?> ReadLineAsync()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        while (true)
        {
            ReadResult result = await _client.Input.ReadAsync(cts.Token);
            ReadOnlySequence<byte> buffer = result.Buffer;
            SequencePosition? lf = buffer.PositionOf((byte)'\n');
            if (lf is not null)
            {
                string line = Encoding.Latin1.GetString(buffer.Slice(0, lf.Value).ToArray()).TrimEnd('\r');
                _client.Input.AdvanceTo(buffer.GetPosition(1, lf.Value));
                return line;
            }

            _client.Input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return null;
            }
        }
    }

    public async Task<List<string>> ReadAllLinesAsync()
    {
        var lines = new List<string>();
        while (await ReadLineAsync() is string line)
        {
            lines.Add(line);
        }

        return lines;
    }

    /// <summary>The client stops reading what the server sends.</summary>
    public async Task StopReadingAsync() => await _client.Input.CompleteAsync();

    /// <summary>The client closes its side (EOF for the server).</summary>
    public async Task CloseAsync() => await _client.Output.CompleteAsync();

    /// <summary>Waits for the session to end, within the test timeout.</summary>
    public async Task WaitAsync() => await Running.WaitAsync(s_timeout);

    /// <summary>Cancels the session's token, which it takes as the session timeout.</summary>
    public void TimeOut() => _sessionCts.Cancel();

    public async ValueTask DisposeAsync()
    {
        await _client.Output.CompleteAsync();
        try
        {
            await Running.WaitAsync(s_timeout);
        }
        catch (InvalidOperationException) when (Running.IsFaulted)
        {
            // The test that made the session fail has looked at the failure already.
        }
        finally
        {
            await _client.Input.CompleteAsync();
            Session.Dispose();
            _sessionCts.Dispose();
        }
    }
}
