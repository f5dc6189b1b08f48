// Loop detection before a local delivery: a message whose header section already holds
// "Delivered-To: <this destination>" was delivered here for that address once and has come
// round again (an `mda` command or a forward that sends it back in), so it is refused instead of
// delivered a second time and sent round again.
// Behaviour reference: usr.sbin/smtpd/mda.c (mda_check_loop).
using System.Text;

namespace Smtpd.Mda;

internal static class DeliveryLoop
{
    private static readonly byte[] Prefix = "Delivered-To: "u8.ToArray();

    /// <summary>
    /// True when a Delivered-To line of the header section names <paramref name="dest"/> (the
    /// final destination address). Reads <paramref name="message"/> from where it stands and
    /// puts it back there. As OpenSMTPD, the header section ends at the first line that has no
    /// colon and does not start with white space; the field name and the address compare without
    /// regard to ASCII case, and exactly one space must follow the colon.
    /// </summary>
    public static bool Detect(Stream message, string dest)
    {
        long start = message.Position;
        try
        {
            return Scan(message, Encoding.UTF8.GetBytes(dest));
        }
        finally
        {
            message.Seek(start, SeekOrigin.Begin);
        }
    }

    private static bool Scan(Stream message, byte[] dest)
    {
        var line = new LineState(Prefix.Length + dest.Length);
        var buffer = new byte[8 * 1024];
        int n;
        while ((n = message.Read(buffer)) > 0)
        {
            foreach (byte b in buffer.AsSpan(0, n))
            {
                if (b != (byte)'\n')
                {
                    line.Add(b);
                    continue;
                }

                if (line.EndsHeaderSection)
                {
                    return false;
                }

                if (line.Names(dest))
                {
                    return true;
                }

                line.Reset();
            }
        }

        // A last line without its newline counts as a line too.
        return line.Length > 0 && !line.EndsHeaderSection && line.Names(dest);
    }

    /// <summary>What the scan needs of one line: its first bytes, whether it has a colon, its length.</summary>
    private struct LineState(int keep)
    {
        private readonly byte[] _head = new byte[keep + 1];
        private bool _colon;

        public int Length { get; private set; }

        /// <summary>No colon and no leading white space (C's isspace): the header section is over.</summary>
        public readonly bool EndsHeaderSection =>
            !_colon && (Length == 0 || _head[0] is not ((byte)' ' or (byte)'\t' or (byte)'\v' or (byte)'\f' or (byte)'\r'));

        public void Add(byte b)
        {
            if (Length < _head.Length)
            {
                _head[Length] = b;
            }

            _colon |= b == (byte)':';
            Length++;
        }

        public void Reset()
        {
            Length = 0;
            _colon = false;
        }

        /// <summary>"Delivered-To: " then exactly <paramref name="dest"/>, both without regard to ASCII case.</summary>
        public readonly bool Names(byte[] dest) =>
            Length == Prefix.Length + dest.Length
            && SameIgnoringAsciiCase(_head.AsSpan(0, Prefix.Length), Prefix)
            && SameIgnoringAsciiCase(_head.AsSpan(Prefix.Length, dest.Length), dest);

        // strcasecmp in the C locale: ASCII letters fold, every other byte (UTF-8 too) must match.
        private static bool SameIgnoringAsciiCase(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
        {
            for (int i = 0; i < a.Length; i++)
            {
                if (Fold(a[i]) != Fold(b[i]))
                {
                    return false;
                }
            }

            return true;
        }

        private static byte Fold(byte c) => c is >= (byte)'A' and <= (byte)'Z' ? (byte)(c | 0x20) : c;
    }
}
