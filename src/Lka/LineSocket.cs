// A line-oriented socket for the lookup agent's filter work (filter processes' stdio and
// stderr, sessions' message-line sockets): LF-terminated lines, one char per byte (Latin-1, so
// any bytes round-trip), writes queued and sent in order by one writer, reads with a line cap.
// Only used from the role's loop thread.
using System.Buffers;
using System.Net.Sockets;
using System.Text;
using Smtpd.Interop;
using Smtpd.Runtime;

namespace Smtpd.Lka;

internal sealed class LineSocket : IDisposable
{
    private readonly Stream _stream;
    private readonly StreamLineReader _lines;
    private ArrayBufferWriter<byte> _out = new(4096);
    private ArrayBufferWriter<byte> _spare = new(4096);
    private bool _writing;

    public LineSocket(SafeFd fd, int maxLine)
    {
        var socket = new Socket(new SafeSocketHandle(fd.Release(), ownsHandle: true));
        _stream = new NetworkStream(socket, ownsSocket: true);
        _lines = new StreamLineReader(_stream, maxLine);
    }

    /// <summary>Set when a write failed: the peer is gone.</summary>
    public bool Broken { get; private set; }

    /// <summary>Bytes queued and not yet written (a peer that does not read lets this grow).</summary>
    public int Queued => _out.WrittenCount;

    /// <summary>Queues <paramref name="line"/> and a line end.</summary>
    public void Send(string line)
    {
        if (Broken)
        {
            return;
        }

        Span<byte> span = _out.GetSpan(line.Length + 1);
        int n = Encoding.Latin1.GetBytes(line, span);
        span[n] = (byte)'\n';
        _out.Advance(n + 1);
        if (!_writing)
        {
            _writing = true;
            _ = WriteLoopAsync();
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            while (_out.WrittenCount > 0 && !Broken)
            {
                var sending = _out;
                _out = _spare;
                _spare = sending;
                try
                {
                    await _stream.WriteAsync(sending.WrittenMemory);
                }
                catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
                {
                    Broken = true;
                }

                sending.ResetWrittenCount();
            }
        }
        finally
        {
            _writing = false;
        }
    }

    /// <summary>
    /// The next line without its line end; null at end of input, or when a line passes the cap
    /// (TooLong then says so).
    /// </summary>
    public async ValueTask<(string? Line, bool TooLong)> ReadLineAsync()
    {
        var (status, line) = await _lines.ReadLineAsync();
        return status == LineRead.Line ? (Encoding.Latin1.GetString(line.Span), false) : (null, status == LineRead.TooLong);
    }

    public void Dispose()
    {
        Broken = true;
        _stream.Dispose();
    }
}
