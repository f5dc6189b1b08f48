// RFC 3461 xtext, the encoding of ENVID and ORCPT: "+HH" stands for one byte. Decoding is what a
// delivery-status report shows (Original-Envelope-Id, Original-Recipient).
using System.Globalization;
using System.Text;

namespace Smtpd.Mime;

internal static class Xtext
{
    /// <summary>Decodes "+HH" escapes; a malformed escape is kept as written rather than guessed at.</summary>
    public static string Decode(string text)
    {
        if (!text.Contains('+', StringComparison.Ordinal))
        {
            return text;
        }

        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '+' && i + 2 < text.Length
                && byte.TryParse(text.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte b))
            {
                sb.Append((char)b);
                i += 2;
            }
            else
            {
                sb.Append(text[i]);
            }
        }

        return sb.ToString();
    }
}
