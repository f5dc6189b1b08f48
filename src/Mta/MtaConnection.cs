// The byte side of one mta session: replies read line by line from the peer (with a timeout
// for each), commands and the message written through one buffer so that pipelined commands and
// the body's last bytes with the final dot leave in as few packets as possible. After STARTTLS
// the stream is swapped for the TLS one and anything buffered in the clear is thrown away.
// Behaviour reference: usr.sbin/smtpd/mta_session.c (mta_io, mta_send), RFC 5321 section 4.2.
using System.Text;

namespace Smtpd.Mta;

internal sealed class MtaConnection : IAsyncDisposable
{
    /// <summary>Longest reply line taken (RFC 5321 allows 512; OpenSMTPD's mta reads up to its LINE_MAX).</summary>
    public const int MaxLine = 4096;

    // At most this many lines make one reply: a peer sending endless continuation lines is broken.
    private const int MaxReplyLines = 1000;

    private readonly byte[] _in = new byte[16 * 1024];
    private int _inStart;
    private int _inEnd;
    private readonly MemoryStream _out = new();
    private Stream _stream;

    public MtaConnection(Stream stream, TimeSpan timeout)
    {
        _stream = stream;
        Timeout = timeout;
    }

    public TimeSpan Timeout { get; set; }

    public Stream Stream => _stream;

    /// <summary>Replaces the stream (after a TLS handshake); bytes read ahead in the clear are discarded (RFC 3207 section 4.2).</summary>
    public void Upgrade(Stream secured)
    {
        _stream = secured;
        _inStart = _inEnd = 0;
    }

    public void Queue(string command)
    {
        var bytes = Encoding.UTF8.GetBytes(command);
        _out.Write(bytes);
        _out.Write("\r\n"u8);
    }

    public void QueueBytes(ReadOnlySpan<byte> bytes) => _out.Write(bytes);

    public int Buffered => (int)_out.Length;

    public async Task FlushAsync()
    {
        if (_out.Length == 0)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(Timeout);
        await _stream.WriteAsync(_out.GetBuffer().AsMemory(0, (int)_out.Length), timeout.Token);
        await _stream.FlushAsync(timeout.Token);
        _out.SetLength(0);
    }

    /// <summary>
    /// The next reply. A closed connection, a timeout or garbage throws <see cref="MtaProtocolException"/>
    /// with OpenSMTPD's reason ("Connection closed unexpectedly", "Connection timeout", "Bad response: ...").
    /// </summary>
    public async Task<MtaReply> ReadReplyAsync()
    {
        var lines = new List<string>();
        int code = 0;
        while (true)
        {
            string line = await ReadLineAsync();
            if (line.Length < 3 || !char.IsAsciiDigit(line[0]) || !char.IsAsciiDigit(line[1]) || !char.IsAsciiDigit(line[2])
                || (line.Length > 3 && line[3] != ' ' && line[3] != '-') || line[0] is < '2' or > '5')
            {
                throw new MtaProtocolException("Bad response: " + Printable(line));
            }

            int c = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
            if (lines.Count > 0 && c != code)
            {
                throw new MtaProtocolException("Bad response: inconsistent status codes");
            }

            code = c;
            lines.Add(line);
            if (line.Length == 3 || line[3] == ' ')
            {
                return MtaReply.FromLines(code, lines);
            }

            if (lines.Count >= MaxReplyLines)
            {
                throw new MtaProtocolException("Bad response: reply too long");
            }
        }
    }

    private async Task<string> ReadLineAsync()
    {
        while (true)
        {
            int nl = Array.IndexOf(_in, (byte)'\n', _inStart, _inEnd - _inStart);
            if (nl >= 0)
            {
                int end = nl > _inStart && _in[nl - 1] == (byte)'\r' ? nl - 1 : nl;
                string line = Encoding.UTF8.GetString(_in, _inStart, end - _inStart);
                _inStart = nl + 1;
                return line;
            }

            if (_inEnd - _inStart >= MaxLine)
            {
                throw new MtaProtocolException("Input too long");
            }

            if (_inStart > 0)
            {
                Buffer.BlockCopy(_in, _inStart, _in, 0, _inEnd - _inStart);
                _inEnd -= _inStart;
                _inStart = 0;
            }

            int n;
            using (var timeout = new CancellationTokenSource(Timeout))
            {
                try
                {
                    n = await _stream.ReadAsync(_in.AsMemory(_inEnd), timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new MtaProtocolException("Connection timeout");
                }
                catch (IOException e)
                {
                    throw new MtaProtocolException("IO Error: " + e.Message);
                }
            }

            if (n == 0)
            {
                throw new MtaProtocolException("Connection closed unexpectedly");
            }

            _inEnd += n;
        }
    }

    /// <summary>A peer's text in our logs: control characters shown as '?', at most 200 characters.</summary>
    public static string Printable(string s)
    {
        var chars = s.Select(c => char.IsControl(c) ? '?' : c).Take(200).ToArray();
        return new string(chars);
    }

    public async ValueTask DisposeAsync() => await _stream.DisposeAsync();
}
