// Delays ("30s", "10m", "4h", "7d") and sizes ("35M") as smtpd.conf writes them.
// Behaviour reference: usr.sbin/smtpd/parse.y (delaytonum, size via scan_scaled).
using System.Globalization;

namespace Smtpd.Config;

internal static class Durations
{
    private static readonly (char Unit, int Factor)[] Units = [('d', 86400), ('h', 3600), ('m', 60), ('s', 1)];
    private static readonly (char Unit, long Factor)[] SizeUnits =
        [('E', 1L << 60), ('P', 1L << 50), ('T', 1L << 40), ('G', 1L << 30), ('M', 1L << 20), ('K', 1L << 10)];

    /// <summary>Seconds for a delay, or -1 when it is not at least one digit followed by one unit.</summary>
    public static int Parse(string text)
    {
        if (text.Length < 2)
        {
            return -1;
        }
        var factor = 0;
        foreach (var (unit, f) in Units)
        {
            if (text[^1] == unit)
            {
                factor = f;
            }
        }
        var digits = text[..^1];
        if (factor == 0 || !digits.All(char.IsAsciiDigit)
            || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            || n < 1 || n > int.MaxValue / factor)
        {
            return -1;
        }
        return (int)n * factor;
    }

    /// <summary>The shortest exact spelling: 86400 becomes "1d", 5400 becomes "90m".</summary>
    public static string Format(int seconds)
    {
        foreach (var (unit, factor) in Units)
        {
            if (seconds % factor == 0)
            {
                return (seconds / factor).ToString(CultureInfo.InvariantCulture) + unit;
            }
        }
        return seconds.ToString(CultureInfo.InvariantCulture) + "s";
    }

    /// <summary>Bytes for a size with an optional binary suffix (B, K, M, G, T, P, E), or -1.</summary>
    public static long ParseSize(string text)
    {
        if (text.Length == 0)
        {
            return -1;
        }
        long factor = 1;
        var digits = text;
        var last = char.ToUpperInvariant(text[^1]);
        if (last == 'B')
        {
            digits = text[..^1];
        }
        else
        {
            foreach (var (unit, f) in SizeUnits)
            {
                if (last == unit)
                {
                    factor = f;
                    digits = text[..^1];
                }
            }
        }
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit)
            || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            || n > long.MaxValue / factor)
        {
            return -1;
        }
        return n * factor;
    }

    public static string FormatSize(long bytes)
    {
        if (bytes > 0)
        {
            foreach (var (unit, factor) in SizeUnits)
            {
                if (bytes % factor == 0)
                {
                    return (bytes / factor).ToString(CultureInfo.InvariantCulture) + unit;
                }
            }
        }
        return bytes.ToString(CultureInfo.InvariantCulture);
    }
}
