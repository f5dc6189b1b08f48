// duration_to_text (to.c): "0s", "45s", "1h4m34s", "2d3h", zero units left out; for log lines
// outside the delivery agents (queue removals) and smtpctl's uptime.human.
using System.Globalization;
using System.Text;

namespace Smtpd.Mime;

internal static class DurationText
{
    public static string Of(long seconds)
    {
        if (seconds == 0)
        {
            return "0s";
        }

        var sb = new StringBuilder(seconds < 0 ? "-" : string.Empty);
        ulong t = (ulong)Math.Abs(seconds);
        (ulong d, ulong h, ulong m, ulong s) = (t / 86400, t / 3600 % 24, t / 60 % 60, t % 60);
        foreach (var (n, unit) in new[] { (d, 'd'), (h, 'h'), (m, 'm'), (s, 's') })
        {
            if (n != 0)
            {
                sb.Append(n.ToString(CultureInfo.InvariantCulture)).Append(unit);
            }
        }

        return sb.ToString();
    }
}
