// What an `mda` command printed, boiled down to what its failure is reported with: the last line
// of its standard output and error (one file catches both), made safe to log and quoted, as
// "\"mailbox full\"". Control and 8-bit bytes are written the vis(3) way (\n, \^X, \M-x), the
// line is cut at 253 characters, and a command that printed nothing gives "".
// Behaviour reference: usr.sbin/smtpd/mda.c (mda_getlastline), openbsd-compat/vis.c
// (strnvis with VIS_SAFE | VIS_CSTYLE | VIS_NL).
using System.Text;
using Smtpd.Mime;
using Smtpd.Interop;

namespace Smtpd.Mda;

internal static class CommandOutput
{
    // mda.c's 256-byte buffer: the two quotes and the terminating NUL leave 253 characters.
    public const int MaxEncoded = 253;

    /// <summary>The quoted last line of <paramref name="output"/> (read from its start), or "" when it is empty.</summary>
    public static string LastLine(SafeFd output)
    {
        if (Posix.TrySeek(output, 0) != Errno.None)
        {
            return string.Empty;
        }

        // Only a line's first MaxEncoded bytes can show: each byte takes at least one character.
        var current = new List<byte>(MaxEncoded);
        byte[]? last = null;
        bool any = false;
        var buffer = new byte[16 * 1024];
        while (Posix.TryRead(output, buffer, out int n) == Errno.None && n > 0)
        {
            any = true;
            foreach (byte b in buffer.AsSpan(0, n))
            {
                if (b == (byte)'\n')
                {
                    last = [.. current];
                    current.Clear();
                }
                else if (current.Count < MaxEncoded)
                {
                    current.Add(b);
                }
            }
        }

        if (!any)
        {
            return string.Empty;
        }

        // Text after the last newline is a line of its own; output ending in a newline ends with the line before it.
        return Quote(current.Count > 0 || last is null ? [.. current] : last);
    }

    /// <summary>"\"" + the vis-encoded line (up to the first NUL, as a C string ends) + "\"".</summary>
    public static string Quote(ReadOnlySpan<byte> line)
    {
        int nul = line.IndexOf((byte)0);
        if (nul >= 0)
        {
            line = line[..nul];
        }

        var sb = new StringBuilder(MaxEncoded + 2).Append('"');
        int room = MaxEncoded;
        foreach (byte c in line)
        {
            string encoded = Encode(c);
            if (encoded.Length > room)
            {
                break;
            }

            sb.Append(encoded);
            room -= encoded.Length;
        }

        return sb.Append('"').ToString();
    }

    // vis() for one byte as mda.c asks for it: graphic ASCII, space, tab and BS, BEL, CR pass.
    private static string Encode(byte c) => Vis.Encode(c, VisFlags.Safe | VisFlags.CStyle | VisFlags.Newline);
}
