// One LMTP connection as LmtpDelivery drives it: the socket, the reply reader, and a fresh
// timeout for every step, so a server that stops answering anywhere is given up on.
// Behaviour reference: usr.sbin/smtpd/mail.lmtp.c (lmtp_engine: reply checks and their exit codes)
using System.Net.Sockets;
using System.Text;

namespace Smtpd.Mda;

internal sealed class LmtpSession : IDisposable
{
    private readonly TimeSpan _timeout;
    private CancellationTokenSource? _step;
    private NetworkStream? _stream;
    private LmtpLineReader? _reader;

    public LmtpSession(TimeSpan timeout, CancellationToken ct)
    {
        _timeout = timeout;
        Ct = ct;
    }

    /// <summary>The caller's token: cancelling it ends the session with OperationCanceledException.</summary>
    public CancellationToken Ct { get; }

    /// <summary>What the session was doing, for timeouts and I/O errors.</summary>
    public string Step { get; set; } = "connect";

    private NetworkStream Stream => _stream ?? throw new InvalidOperationException("not connected");

    /// <summary>Starts a step: its name for error texts and a token that fires after the timeout.</summary>
    public CancellationToken Arm(string step)
    {
        Step = step;
        _step?.Dispose();
        _step = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        _step.CancelAfter(_timeout);
        return _step.Token;
    }

    public void Attach(Socket socket)
    {
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new LmtpLineReader(_stream);
    }

    public async Task SendAsync(string command, string step)
    {
        var token = Arm(step);
        await Stream.WriteAsync(Encoding.UTF8.GetBytes(command + "\r\n"), token);
    }

    public async Task WriteAsync(ReadOnlyMemory<byte> data)
    {
        var token = Arm("message");
        await Stream.WriteAsync(data, token);
    }

    /// <summary>
    /// Reads one (possibly multi-line) reply. Null when every line starts with <paramref name="expected"/>;
    /// otherwise the failure: a 4xx line or a broken session is temporary, any other code permanent.
    /// </summary>
    public async Task<MdaResult?> ExpectAsync(char expected, string step)
    {
        var token = Arm(step);
        while (true)
        {
            string? line = await _reader!.ReadLineAsync(token);
            if (line is null)
            {
                return MdaResult.TempFail("unexpected EOF from LMTP server");
            }

            if (!IsReplyLine(line))
            {
                return MdaResult.TempFail("LMTP server sent an invalid line");
            }

            if (line[0] != expected)
            {
                return line[0] == '4'
                    ? MdaResult.TempFail("LMTP server error: " + line)
                    : MdaResult.PermFail("LMTP server error: " + line);
            }

            if (line.Length == 3 || line[3] == ' ')
            {
                return null;
            }
        }
    }

    // Three digits, then a space, a dash for more lines, or nothing (RFC 5321 makes the text optional).
    private static bool IsReplyLine(string line) =>
        line.Length >= 3 && char.IsAsciiDigit(line[0]) && char.IsAsciiDigit(line[1]) && char.IsAsciiDigit(line[2])
        && (line.Length == 3 || line[3] is ' ' or '-');

    public void Dispose()
    {
        _step?.Dispose();
        _stream?.Dispose();
    }
}
