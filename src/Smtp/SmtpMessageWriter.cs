// Writes one message into the stream the host opened for it, as OpenSMTPD writes the spool
// file: every line ends in a single LF whatever the client used, Bcc headers are dropped, To/Cc/
// From get domains appended (HeaderAddressRewriter), Date and Message-ID are added where the
// listener wants them, and the header section is checked the way rfc5322.c reads it (a header
// needs a name and a colon; the header section ends at an empty line). Received headers are
// counted for loop detection. Output is buffered and handed to the stream in chunks, so memory
// stays bounded for any message size.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (smtp_tx_dataline, smtp_message_printf),
// usr.sbin/smtpd/rfc5322.c
using System.Buffers;
using System.Text;

namespace Smtpd.Smtp;

internal sealed class SmtpMessageWriter : IAsyncDisposable
{
    /// <summary>MAX_HOPS_COUNT: this many Received headers means the message is looping.</summary>
    public const int MaxHops = 100;

    /// <summary>rfc5322.c keeps header names in a 1024-byte buffer.</summary>
    public const int MaxHeaderNameLength = 1022;

    /// <summary>rfc5322.c unfolds To, Cc and From into a 65536-byte buffer.</summary>
    public const int MaxUnfoldedLength = 65535;

    private const int FlushThreshold = 32 * 1024;
    private const byte LF = (byte)'\n';

    private readonly Stream _stream;
    private readonly SmtpMessageOptions _options;
    // Starts small: most messages are a few KiB, and it grows (to about FlushThreshold) for the rest.
    private readonly ArrayBufferWriter<byte> _buffer = new(8 * 1024);
    private Section _section = Section.Headers;
    private bool _skipHeader;
    private bool _hasDate;
    private bool _hasMessageId;
    private string _unfoldName = string.Empty;
    private StringBuilder? _unfold;

    public SmtpMessageWriter(Stream stream, SmtpMessageOptions options)
    {
        _stream = stream;
        _options = options;
    }

    private enum Section
    {
        /// <summary>Before the first header, or after one ended: a new header or the end of headers comes next.</summary>
        Headers,

        /// <summary>Inside a header: a line starting with SP or HT continues it.</summary>
        InHeader,

        Body,
    }

    /// <summary>Bytes written so far (odatalen).</summary>
    public long Length { get; private set; }

    /// <summary>Received headers seen so far.</summary>
    public int ReceivedCount { get; private set; }

    public bool NeedsFlush => _buffer.WrittenCount >= FlushThreshold;

    /// <summary>Writes text we generate (the Received header) as is; it uses LF line ends already.</summary>
    public void WriteRaw(string text)
    {
        int n = Encoding.Latin1.GetBytes(text, _buffer.GetSpan(text.Length));
        _buffer.Advance(n);
        Length += n;
    }

    /// <summary>Takes one dot-unstuffed message line (no line end). Returns why the message must be refused, or None.</summary>
    public SmtpTxError WriteLine(ReadOnlySpan<byte> line)
    {
        if (_section == Section.Body)
        {
            Append(line);
            return SmtpTxError.None;
        }

        bool folded = line.Length > 0 && (line[0] == (byte)' ' || line[0] == (byte)'\t');
        if (_section == Section.InHeader && folded)
        {
            return Continue(line);
        }

        EndHeader();
        int colon = folded ? -1 : line.IndexOf((byte)':');
        if (colon < 0)
        {
            // End of the header section: only an empty line may end it.
            EndOfHeaders();
            if (line.Length != 0)
            {
                return SmtpTxError.Malformed;
            }

            _section = Section.Body;
            Append(line);
            return SmtpTxError.None;
        }

        ReadOnlySpan<byte> name = line[..colon];
        if (name.Length > MaxHeaderNameLength)
        {
            return SmtpTxError.Malformed;
        }

        _section = Section.InHeader;
        _skipHeader = Ascii.EqualsIgnoreCase(name, "Bcc"u8);
        if (Ascii.EqualsIgnoreCase(name, "To"u8) || Ascii.EqualsIgnoreCase(name, "Cc"u8) || Ascii.EqualsIgnoreCase(name, "From"u8))
        {
            // Held back until the header ends: its addresses may need a domain.
            _unfoldName = Encoding.Latin1.GetString(name);
            _unfold = new StringBuilder(Encoding.Latin1.GetString(line[(colon + 1)..]));
            return SmtpTxError.None;
        }

        if (Ascii.EqualsIgnoreCase(name, "Received"u8))
        {
            if (++ReceivedCount >= MaxHops)
            {
                return SmtpTxError.Loop;
            }
        }
        else
        {
            _hasDate |= Ascii.EqualsIgnoreCase(name, "Date"u8);
            _hasMessageId |= Ascii.EqualsIgnoreCase(name, "Message-Id"u8);
        }

        if (!_skipHeader)
        {
            Append(line);
        }

        return SmtpTxError.None;
    }

    /// <summary>The end-of-data marker came: finish a pending header and the header section.</summary>
    public void End()
    {
        if (_section != Section.Body)
        {
            EndHeader();
            EndOfHeaders();
            _section = Section.Body;
        }
    }

    /// <summary>
    /// Hands what is buffered to the spool file. A plain write: it only reaches the page cache
    /// (the queue fsyncs at commit), where an asynchronous file write would cost a thread-pool
    /// round trip per chunk.
    /// </summary>
    public ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_buffer.WrittenCount > 0)
        {
            _stream.Write(_buffer.WrittenSpan);
            _buffer.ResetWrittenCount();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Writes what is buffered and flushes the stream; the message is complete.</summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        await _stream.FlushAsync(cancellationToken);
    }

    /// <summary>Forgets buffered output, for a message that will be rolled back.</summary>
    public void Discard() => _buffer.ResetWrittenCount();

    public ValueTask DisposeAsync() => _stream.DisposeAsync();

    private SmtpTxError Continue(ReadOnlySpan<byte> line)
    {
        if (_unfold is not null)
        {
            if (_unfold.Length + 1 + line.Length >= MaxUnfoldedLength)
            {
                return SmtpTxError.Malformed;
            }

            _unfold.Append('\n').Append(Encoding.Latin1.GetString(line));
        }
        else if (!_skipHeader)
        {
            Append(line);
        }

        return SmtpTxError.None;
    }

    private void EndHeader()
    {
        if (_unfold is not null)
        {
            WriteRaw(HeaderAddressRewriter.Rewrite(_unfoldName, _unfold.ToString(), _options.Hostname, _options.Masquerade));
            _unfold = null;
        }
    }

    private void EndOfHeaders()
    {
        if (!_options.AddMissingHeaders)
        {
            return;
        }

        if (!_hasDate)
        {
            WriteRaw("Date: " + _options.Date + "\n");
            _hasDate = true;
        }

        if (!_hasMessageId)
        {
            WriteRaw("Message-ID: <" + ((ulong)Random.Shared.NextInt64()).ToString("x16", System.Globalization.CultureInfo.InvariantCulture) + "@" + _options.Hostname + ">\n");
            _hasMessageId = true;
        }
    }

    private void Append(ReadOnlySpan<byte> line)
    {
        Span<byte> span = _buffer.GetSpan(line.Length + 1);
        line.CopyTo(span);
        span[line.Length] = LF;
        _buffer.Advance(line.Length + 1);
        Length += line.Length + 1;
    }
}
