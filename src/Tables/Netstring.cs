// Netstrings (D. J. Bernstein): "<decimal length>:<bytes>," — the framing of the Sendmail and
// Postfix socketmap protocol. Parsing is incremental: the caller feeds what it has read so far
// and learns whether a whole netstring is there, more bytes are needed, or the peer sent garbage.
using System.Text;

namespace Smtpd.Tables;

internal enum NetstringStatus
{
    Incomplete,
    Complete,
    Malformed,
}

internal static class Netstring
{
    public static byte[] Encode(string text)
    {
        byte[] payload = Encoding.UTF8.GetBytes(text);
        byte[] prefix = Encoding.ASCII.GetBytes($"{payload.Length}:");
        var frame = new byte[prefix.Length + payload.Length + 1];
        prefix.CopyTo(frame, 0);
        payload.CopyTo(frame, prefix.Length);
        frame[^1] = (byte)',';
        return frame;
    }

    /// <summary>
    /// Reads one netstring at the start of <paramref name="buffer"/>. A length over
    /// <paramref name="maxLength"/>, a length that is not plain digits, or a missing trailing
    /// comma is Malformed: the stream cannot be resynchronised after it.
    /// </summary>
    public static NetstringStatus TryParse(ReadOnlySpan<byte> buffer, int maxLength, out string payload, out int consumed)
    {
        payload = string.Empty;
        consumed = 0;
        int length = 0;
        int i = 0;
        for (; i < buffer.Length && buffer[i] != (byte)':'; i++)
        {
            byte b = buffer[i];
            if (b is < (byte)'0' or > (byte)'9')
            {
                return NetstringStatus.Malformed;
            }

            length = (length * 10) + (b - '0');
            if (length > maxLength)
            {
                return NetstringStatus.Malformed;
            }
        }

        if (i == buffer.Length)
        {
            return NetstringStatus.Incomplete;
        }

        if (i == 0)
        {
            return NetstringStatus.Malformed; // ":" with no length
        }

        int start = i + 1;
        if (buffer.Length < start + length + 1)
        {
            return NetstringStatus.Incomplete;
        }

        if (buffer[start + length] != (byte)',')
        {
            return NetstringStatus.Malformed;
        }

        payload = Encoding.UTF8.GetString(buffer.Slice(start, length));
        consumed = start + length + 1;
        return NetstringStatus.Complete;
    }
}
