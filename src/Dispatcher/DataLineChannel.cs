// The dispatcher's end of a message-line socket the lookup agent handed over: lines go out
// buffered, LF-terminated, and filtered lines come back the same way. A line coming back longer
// than MaxLine, or the socket closing, ends the exchange: the message is refused temporarily.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (smtp_filter_fd, filter_session_io)
using System.Buffers;
using Smtpd.Smtp;

namespace Smtpd.Dispatcher;

internal sealed class DataLineChannel(Stream stream) : ISmtpDataFilter
{
    /// <summary>The longest line accepted back (a filter sending more without a line end is broken).</summary>
    public const int MaxLine = 64 * 1024;

    private const int FlushThreshold = 32 * 1024;

    private readonly ArrayBufferWriter<byte> _out = new(8 * 1024);
    private readonly byte[] _in = new byte[MaxLine + 1];
    private int _start;
    private int _end;
    private bool _eof;

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
        while (true)
        {
            int lf = Array.IndexOf(_in, (byte)'\n', _start, _end - _start);
            if (lf >= 0)
            {
                byte[] line = _in.AsSpan(_start, lf - _start).ToArray();
                _start = lf + 1;
                return line;
            }

            if (_eof || _end - _start >= MaxLine)
            {
                return null;
            }

            if (_start > 0)
            {
                Array.Copy(_in, _start, _in, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            int n;
            try
            {
                n = await stream.ReadAsync(_in.AsMemory(_end));
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                n = 0;
            }

            if (n == 0)
            {
                _eof = true;
            }

            _end += n;
        }
    }

    public ValueTask DisposeAsync() => stream.DisposeAsync();
}
