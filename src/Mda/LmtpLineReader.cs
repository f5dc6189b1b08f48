// Reads an LMTP server's reply lines off the connection, one at a time, without the CRLF (a bare
// LF ends a line too). A line longer than any real reply is refused rather than buffered forever.
// Behaviour reference: usr.sbin/smtpd/mail.lmtp.c (lmtp_engine's getline loop)
using System.Text;

namespace Smtpd.Mda;

internal sealed class LmtpLineReader
{
    /// <summary>RFC 5321 allows 512 bytes per reply line; anything past this is not a reply.</summary>
    public const int MaxLine = 4096;

    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[MaxLine + 2];
    private int _start;
    private int _end;

    public LmtpLineReader(Stream stream) => _stream = stream;

    /// <summary>The next line, or null at end of stream; a line over <see cref="MaxLine"/> bytes throws.</summary>
    public async ValueTask<string?> ReadLineAsync(CancellationToken ct)
    {
        while (true)
        {
            int lf = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (lf >= 0)
            {
                int length = lf - _start;
                if (length > 0 && _buffer[lf - 1] == (byte)'\r')
                {
                    length--;
                }

                string line = Encoding.UTF8.GetString(_buffer, _start, length);
                _start = lf + 1;
                return line;
            }

            if (_end - _start > MaxLine)
            {
                throw new InvalidDataException("LMTP server sent an overlong line");
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            int n = await _stream.ReadAsync(_buffer.AsMemory(_end), ct);
            if (n == 0)
            {
                // A partial last line is not a reply: the server went away mid-line.
                return null;
            }

            _end += n;
        }
    }
}
