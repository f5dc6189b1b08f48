// Frames SMTP input into lines: everything up to a line feed, with one carriage return before it
// stripped, as OpenSMTPD's io_getline does. Whether the line ended in CRLF or a bare LF is
// reported, because only CRLF "." CRLF may end DATA (SMTP smuggling). The cap is checked before
// waiting for more input, so a client cannot make the session buffer more than SMTP_LINE_MAX.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (smtp_io), usr.sbin/smtpd/iobuf.c (iobuf_getline)
using System.Buffers;

namespace Smtpd.Smtp;

internal sealed class SmtpLineReader : IDisposable
{
    /// <summary>SMTP_LINE_MAX: a line (without its LF) must be shorter than this.</summary>
    public const int MaxLineLength = 65535;

    private const byte ByteCR = (byte)'\r';
    private const byte ByteLF = (byte)'\n';

    private byte[]? _copy;

    /// <summary>
    /// Takes the first line out of <paramref name="buffer"/>. On <see cref="SmtpLineStatus.Complete"/>
    /// the buffer is advanced past the line feed and <paramref name="line"/> holds the line without its
    /// terminator; it is valid until the next call. Otherwise the buffer is left untouched.
    /// </summary>
    public SmtpLineStatus TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySpan<byte> line, out bool endsWithCrLf)
    {
        line = default;
        endsWithCrLf = false;

        // Fast path: the line lies in the first segment; hand out a slice of it, no copy.
        ReadOnlySpan<byte> first = buffer.FirstSpan;
        int lf = first[..Math.Min(first.Length, MaxLineLength)].IndexOf(ByteLF);
        if (lf >= 0)
        {
            line = Trim(first[..lf], out endsWithCrLf);
            buffer = buffer.Slice(lf + 1);
            return SmtpLineStatus.Complete;
        }

        if (first.Length >= MaxLineLength)
        {
            return SmtpLineStatus.TooLong;
        }

        if (buffer.IsSingleSegment)
        {
            return SmtpLineStatus.Incomplete;
        }

        return ReadMultiSegment(ref buffer, out line, out endsWithCrLf);
    }

    private SmtpLineStatus ReadMultiSegment(ref ReadOnlySequence<byte> buffer, out ReadOnlySpan<byte> line, out bool endsWithCrLf)
    {
        line = default;
        endsWithCrLf = false;

        // Only the first MaxLineLength bytes may hold the line feed; searching further would let
        // a client park an unbounded line in memory.
        ReadOnlySequence<byte> window = buffer.Length > MaxLineLength ? buffer.Slice(0, MaxLineLength) : buffer;
        var reader = new SequenceReader<byte>(window);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> content, ByteLF, advancePastDelimiter: true))
        {
            return buffer.Length >= MaxLineLength ? SmtpLineStatus.TooLong : SmtpLineStatus.Incomplete;
        }

        _copy ??= ArrayPool<byte>.Shared.Rent(MaxLineLength);
        int length = (int)content.Length;
        content.CopyTo(_copy);
        line = Trim(_copy.AsSpan(0, length), out endsWithCrLf);
        buffer = buffer.Slice(reader.Position);
        return SmtpLineStatus.Complete;
    }

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> content, out bool endsWithCrLf)
    {
        endsWithCrLf = content.Length > 0 && content[^1] == ByteCR;
        return endsWithCrLf ? content[..^1] : content;
    }

    public void Dispose()
    {
        if (_copy is not null)
        {
            ArrayPool<byte>.Shared.Return(_copy);
            _copy = null;
        }
    }
}
