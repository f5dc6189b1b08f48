// Hex-digit checks shared by the id parsers and the spool walk (which must tell our names from
// stray files without trusting int.Parse's looser rules: no signs, spaces or prefixes).
namespace Smtpd.Queue;

internal static class QueueHex
{
    public static bool IsHex(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Lowercase hex of exactly <paramref name="length"/> digits: the only spelling the spool uses for names.</summary>
    public static bool IsLowerHex(ReadOnlySpan<char> text, int length)
    {
        if (text.Length != length)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }
}
