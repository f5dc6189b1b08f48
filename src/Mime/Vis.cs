// vis(3) as OpenBSD's libc encodes: what a client, a command or an envelope says is written into
// logs and listings with no control or 8-bit character left raw, so nobody can forge a log line
// or a column. A backslash is doubled; other characters become a C escape (with CStyle), an octal
// escape for a (meta-)space, or \^X, \M-x, \M^X. Characters above 0xff count by their low byte.
// Behaviour reference: OpenBSD lib/libc/gen/vis.c (vis, strvis).
using System.Text;

namespace Smtpd.Mime;

internal static class Vis
{
    /// <summary><paramref name="text"/> encoded; the same string when nothing needs it.</summary>
    public static string Encode(string text, VisFlags flags)
    {
        StringBuilder? sb = null;
        for (int i = 0; i < text.Length; i++)
        {
            int c = text[i] & 0xff;
            bool plain = c != '\\' && IsVisible(c, flags);
            if (plain && sb is null)
            {
                continue;
            }

            sb ??= new StringBuilder(text, 0, i, text.Length + 16);
            if (plain)
            {
                sb.Append((char)c);
            }
            else
            {
                Append(sb, c, flags);
            }
        }

        return sb?.ToString() ?? text;
    }

    /// <summary>One byte encoded, for callers that cut their output at a length.</summary>
    public static string Encode(byte c, VisFlags flags)
    {
        if (c != '\\' && IsVisible(c, flags))
        {
            return ((char)c).ToString();
        }

        var sb = new StringBuilder(4);
        Append(sb, c, flags);
        return sb.ToString();
    }

    private static bool IsVisible(int c, VisFlags flags) => c switch
    {
        > ' ' and < 0x7f => true,
        ' ' => (flags & VisFlags.Space) == 0,
        '\t' => (flags & VisFlags.Tab) == 0,
        '\n' => (flags & VisFlags.Newline) == 0,
        '\b' or '\a' or '\r' => (flags & VisFlags.Safe) != 0,
        _ => false,
    };

    private static void Append(StringBuilder sb, int c, VisFlags flags)
    {
        if (c == '\\')
        {
            sb.Append(@"\\");
            return;
        }

        if ((flags & VisFlags.CStyle) != 0 && CStyle(c) is { } escape)
        {
            sb.Append(escape);
            return;
        }

        if ((c & 0x7f) == ' ')
        {
            sb.Append('\\').Append((char)('0' + ((c >> 6) & 7))).Append((char)('0' + ((c >> 3) & 7))).Append((char)('0' + (c & 7)));
            return;
        }

        sb.Append('\\');
        if ((c & 0x80) != 0)
        {
            c &= 0x7f;
            sb.Append('M');
        }

        if (c < 0x20 || c == 0x7f)
        {
            sb.Append('^').Append(c == 0x7f ? '?' : (char)(c + '@'));
        }
        else
        {
            sb.Append('-').Append((char)c);
        }
    }

    private static string? CStyle(int c) => c switch
    {
        '\n' => @"\n",
        '\r' => @"\r",
        '\b' => @"\b",
        '\a' => @"\a",
        '\v' => @"\v",
        '\t' => @"\t",
        '\f' => @"\f",
        ' ' => @"\s",
        0 => @"\0",
        _ => null,
    };
}
