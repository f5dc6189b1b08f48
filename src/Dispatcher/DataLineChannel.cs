// The dispatcher's end of a message-line socket the lookup agent handed over: lines go out
// buffered, LF-terminated, and filtered lines come back the same way. A line coming back longer
// than MaxLine, or the socket closing, ends the exchange: the message is refused temporarily.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (smtp_filter_fd, filter_session_io)
using System.Buffers;
using Smtpd.Runtime;
using Smtpd.Smtp;

namespace Smtpd.Dispatcher;

internal sealed class DataLineChannel(Stream stream) : ISmtpDataFilter
{
    /// <summary>The longest line accepted back (a filter sending more without a line end is broken).</summary>
    public const int MaxLine = 64 * 1024;

    private const int FlushThreshold = 32 * 1024;

    private readonly ArrayBufferWriter<byte> _out = new(8 * 1024);
    private readonly StreamLineReader _lines = new(stream, MaxLine);

    public bool NeedsFlush => _out.WrittenCount >= FlushThreshold;

    public void WriteLine(ReadOnlySpan<byte> line)
    {
        Span<byte> span = _out.GetSpan(line.Length + 1);
        line.CopyTo(span);
        span[line.Length] = (byte)'\n';
        _out.Advance(line.Length + 1);
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_out.WrittenCount == 0)
        {
            return;
        }

        try
        {
            await stream.WriteAsync(_out.WrittenMemory, cancellationToken);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            throw new IOException("message filter socket: " + e.Message, e);
        }
        finally
        {
            _out.ResetWrittenCount();
        }
    }

    public async ValueTask<byte[]?> ReadLineAsync()
    {
        var (status, line) = await _lines.ReadLineAsync();
        return status == LineRead.Line ? line.ToArray() : null;
    }

    public ValueTask DisposeAsync() => stream.DisposeAsync();
}
