// Turns a stored message (LF line ends, as the queue keeps it) into the DATA stream of an
// SMTP-family session: every line ends in CRLF, a line that starts with "." gets another, and a
// last line without its LF is still terminated before the closing ".".
// Behaviour reference: usr.sbin/smtpd/mail.lmtp.c (stream_file)
// Difference: a CRLF already in the message stays CRLF (mail.lmtp would send CR CR LF).
namespace Smtpd.Mda;

internal sealed class LmtpDataEncoder
{
    private const byte Cr = (byte)'\r';
    private const byte Lf = (byte)'\n';
    private const byte Dot = (byte)'.';

    private bool _atLineStart = true;
    private bool _lastWasCr;

    /// <summary>The end-of-data marker, on a line of its own.</summary>
    public static ReadOnlySpan<byte> EndOfData => ".\r\n"u8;

    /// <summary>The most bytes <see cref="Encode"/> can write for <paramref name="inputLength"/> input bytes.</summary>
    public static int MaxEncodedLength(int inputLength) => checked(2 * inputLength);

    /// <summary>The most bytes <see cref="Finish"/> writes.</summary>
    public const int MaxFinishLength = 5;

    /// <summary>Encodes the next piece of the message; returns how many bytes went into <paramref name="output"/>.</summary>
    public int Encode(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (output.Length < MaxEncodedLength(input.Length))
        {
            throw new ArgumentException("output is too small", nameof(output));
        }

        int written = 0;
        while (!input.IsEmpty)
        {
            if (_atLineStart && input[0] == Dot)
            {
                output[written++] = Dot;
            }

            int lf = input.IndexOf(Lf);
            var text = lf < 0 ? input : input[..lf];
            text.CopyTo(output[written..]);
            written += text.Length;
            if (!text.IsEmpty)
            {
                _lastWasCr = text[^1] == Cr;
                _atLineStart = false;
            }

            if (lf < 0)
            {
                break;
            }

            if (!_lastWasCr)
            {
                output[written++] = Cr;
            }

            output[written++] = Lf;
            _atLineStart = true;
            _lastWasCr = false;
            input = input[(lf + 1)..];
        }

        return written;
    }

    /// <summary>Terminates an unfinished last line and appends the end-of-data marker.</summary>
    public int Finish(Span<byte> output)
    {
        int written = 0;
        if (!_atLineStart)
        {
            if (!_lastWasCr)
            {
                output[written++] = Cr;
            }

            output[written++] = Lf;
            _atLineStart = true;
            _lastWasCr = false;
        }

        EndOfData.CopyTo(output[written..]);
        return written + EndOfData.Length;
    }
}
