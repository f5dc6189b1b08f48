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

    /// <summary>
    /// Bytes for a size as scan_scaled(3) reads it: an optional sign, digits with an optional
    /// decimal part, then an optional binary unit (B, K, M, G, T, P, E, either case) that no
    /// letter or digit may follow. "1.5G" is 1610612736; without a unit the decimals are dropped.
    /// Returns -1 for anything else, and for negative results (the parser refuses those).
    /// </summary>
    public static long ParseSize(string text)
    {
        const int maxDigits = 21;
        var p = 0;
        while (p < text.Length && text[p] is ' ' or '\t' or '\n' or '\v' or '\f' or '\r')
        {
            p++;
        }
        var sign = 0;
        while (p < text.Length && text[p] is '-' or '+')
        {
            if (sign != 0)
            {
                return -1;
            }
            sign = text[p] == '-' ? -1 : 1;
            p++;
        }
        long whole = 0, fraction = 0;
        int wholeDigits = 0, fractionDigits = 0;
        for (; p < text.Length && (char.IsAsciiDigit(text[p]) || text[p] == '.'); p++)
        {
            if (text[p] == '.')
            {
                if (fractionDigits > 0)
                {
                    return -1;
                }
                fractionDigits = 1;
                continue;
            }
            var digit = text[p] - '0';
            if (fractionDigits > 0)
            {
                // Further decimals are ignored, as scan_scaled does.
                if (fractionDigits >= maxDigits - 1)
                {
                    continue;
                }
                fractionDigits++;
                if (fraction > (long.MaxValue - digit) / 10)
                {
                    return -1;
                }
                fraction = fraction * 10 + digit;
            }
            else
            {
                if (++wholeDigits >= maxDigits || whole > (long.MaxValue - digit) / 10)
                {
                    return -1;
                }
                whole = whole * 10 + digit;
            }
        }
        if (sign != 0)
        {
            whole *= sign;
        }
        if (p == text.Length)
        {
            return whole < 0 ? -1 : whole;
        }
        var factor = char.ToUpperInvariant(text[p]) switch
        {
            'B' => 1L,
            'K' => 1L << 10,
            'M' => 1L << 20,
            'G' => 1L << 30,
            'T' => 1L << 40,
            'P' => 1L << 50,
            'E' => 1L << 60,
            _ => 0L,
        };
        if (factor == 0 || (p + 1 < text.Length && char.IsAsciiLetterOrDigit(text[p + 1])))
        {
            return -1;
        }
        if (whole > long.MaxValue / factor || whole < long.MinValue / factor)
        {
            return -1;
        }
        whole *= factor;
        while (fraction >= long.MaxValue / factor)
        {
            fraction /= 10;
            fractionDigits--;
        }
        fraction *= factor;
        for (var i = 0; i < fractionDigits - 1; i++)
        {
            fraction /= 10;
        }
        whole = sign == -1 ? whole - fraction : whole + fraction;
        return whole < 0 ? -1 : whole;
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
