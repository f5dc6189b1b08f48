// The "mda delivery" syslog line, byte for byte as OpenSMTPD writes it, so that log watchers
// (fail2ban, pflogsumm-like scripts) keep working: one line per delivered or failed envelope.
// Behaviour reference: usr.sbin/smtpd/mda.c (mda_log), to.c (duration_to_text)
using System.Globalization;
using System.Text;

namespace Smtpd.Mda;

internal static class MdaLog
{
    /// <summary>
    /// "&lt;session&gt; mda delivery evpid=... from=&lt;...&gt; to=&lt;...&gt; [rcpt=&lt;...&gt; ]user=... delay=... result=... stat=...".
    /// </summary>
    public static string Delivery(ulong sessionId, ulong evpId, string? sender, string dest, string? rcpt, string user, TimeSpan delay, MdaResult result)
    {
        var sb = new StringBuilder(160);
        sb.Append(sessionId.ToString("x16", CultureInfo.InvariantCulture))
            .Append(" mda delivery evpid=").Append(evpId.ToString("x16", CultureInfo.InvariantCulture))
            .Append(" from=<").Append(sender ?? "").Append("> to=<").Append(dest).Append("> ");
        if (rcpt is not null)
        {
            sb.Append("rcpt=<").Append(rcpt).Append("> ");
        }

        sb.Append("user=").Append(user)
            .Append(" delay=").Append(Duration(delay))
            .Append(" result=").Append(result.LogResult)
            .Append(" stat=").Append(result.LogStat);
        return sb.ToString();
    }

    /// <summary>duration_to_text: "0s", "45s", "1h4m34s", "2d3h" (zero units left out, whole seconds).</summary>
    public static string Duration(TimeSpan span)
    {
        long t = (long)Math.Truncate(span.TotalSeconds);
        if (t == 0)
        {
            return "0s";
        }

        var sb = new StringBuilder();
        if (t < 0)
        {
            sb.Append('-');
            t = -t;
        }

        long s = t % 60;
        t /= 60;
        long m = t % 60;
        t /= 60;
        long h = t % 24;
        long d = t / 24;
        Unit(sb, d, 'd');
        Unit(sb, h, 'h');
        Unit(sb, m, 'm');
        Unit(sb, s, 's');
        return sb.ToString();
    }

    private static void Unit(StringBuilder sb, long n, char unit)
    {
        if (n != 0)
        {
            sb.Append(n.ToString(CultureInfo.InvariantCulture)).Append(unit);
        }
    }
}
