// LF-terminated lines read from a stream into one buffer of fixed size: the line sockets between
// the dispatcher, the lookup agent and filter processes. A line longer than the cap ends the
// reading (a peer sending that much without a line end is broken), and so does a read error,
// which counts as the end of input. Used from one thread at a time.
using System.Net.Sockets;

namespace Smtpd.Runtime;

internal enum LineRead
{
    /// <summary>A line came, without its line end.</summary>
    Line,

    /// <summary>The input ended (or failed) before another line end.</summary>
    End,

    /// <summary>More than the cap came without a line end.</summary>
    TooLong,
}

internal sealed class StreamLineReader
{
    private readonly Stream _stream;
    private readonly int _maxLine;
    private readonly byte[] _in;
    private int _start;
    private int _end;
    private bool _eof;

    public StreamLineReader(Stream stream, int maxLine)
    {
        _stream = stream;
        _maxLine = maxLine;
        _in = new byte[maxLine + 1];
    }

    /// <summary>The next line; its bytes are valid until the next call.</summary>
    public async ValueTask<(LineRead Status, ReadOnlyMemory<byte> Line)> ReadLineAsync()
    {
        while (true)
        {
            int lf = Array.IndexOf(_in, (byte)'\n', _start, _end - _start);
            if (lf >= 0)
            {
                var line = _in.AsMemory(_start, lf - _start);
                _start = lf + 1;
                return (LineRead.Line, line);
            }

            if (_end - _start >= _maxLine)
            {
                return (LineRead.TooLong, default);
            }

            if (_eof)
            {
                return (LineRead.End, default);
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
                n = await _stream.ReadAsync(_in.AsMemory(_end));
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                n = 0;
            }

            _eof = n == 0;
            _end += n;
        }
    }
}
