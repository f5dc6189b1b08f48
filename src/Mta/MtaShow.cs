// smtpctl's show hosts, show relays, show routes and show hoststats: the lines OpenSMTPD 7.8's
// mta sends for each, built here from what the agent and its registry hold.
// Behaviour reference: usr.sbin/smtpd/mta.c (IMSG_CTL_MTA_SHOW_HOSTS, _RELAYS, _ROUTES,
// _HOSTSTATS; mta_relay_show), to.c (duration_to_text, sa_to_text).
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Smtpd.Mta;

internal static class MtaShow
{
    /// <summary>"1d2h3m4s", "0s", "-5s" (duration_to_text).</summary>
    public static string Duration(long seconds)
    {
        if (seconds == 0)
        {
            return "0s";
        }

        var sb = new StringBuilder();
        if (seconds < 0)
        {
            sb.Append('-');
            seconds = -seconds;
        }

        long s = seconds % 60, m = seconds / 60 % 60, h = seconds / 3600 % 24, d = seconds / 86400;
        foreach (var (v, unit) in new[] { (d, 'd'), (h, 'h'), (m, 'm'), (s, 's') })
        {
            if (v != 0)
            {
                sb.Append(v.ToString(CultureInfo.InvariantCulture)).Append(unit);
            }
        }

        return sb.ToString();
    }

    /// <summary>An address as sa_to_text writes it: IPv6 in brackets.</summary>
    public static string Bracketed(string address) =>
        IPAddress.TryParse(address, out var a) && a.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address;

    private static string Since(DateTimeOffset? when, DateTimeOffset now) =>
        when is { } w ? Duration((long)(now - w).TotalSeconds) : "-";

    private static string Until(DateTimeOffset? when, DateTimeOffset now) =>
        when is { } w ? Duration((long)Math.Ceiling((w - now).TotalSeconds)) : "-";

    private static string N(long v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>"192.0.2.1 mx.example.org refcount=1 nconn=0 lastconn=4s".</summary>
    public static string HostLine(MtaPeerHost h, int refcount, DateTimeOffset now) =>
        $"{h.Address} {(h.Name.Length > 0 ? h.Name : h.Address)} refcount={N(refcount)} nconn={N(h.NConn)} lastconn={Since(h.LastConn, now)}";

    /// <summary>"3. [] &lt;-&gt; 192.0.2.1 (mx.example.org) N--- nconn=0 nerror=1 penalty=1 timeout=15s".</summary>
    public static string RouteLine(MtaRoute r, DateTimeOffset now) =>
        $"{N((long)r.Id)}. {r.Text} {(r.New ? 'N' : '-')}{(r.DisabledUntil is not null ? 'D' : '-')}--"
        + $" nconn={N(r.NConn)} nerror={N(r.NError)} penalty={N(r.Penalty)} timeout={Until(r.DisabledUntil, now)}";

    /// <summary>The relay line and its connector line (one source per relay here) of mta_relay_show.</summary>
    public static IEnumerable<string> RelayLines(MtaRouteState r, DateTimeOffset now)
    {
        string wait = r.LookingUp ? "MX" : string.Empty;
        yield return $"{r.Text} refcount={N(1 + r.Sessions)} ntask={N(r.Pending.Count)} nconn={N(r.Sessions)} lastconn={Since(r.LastConn, now)} timeout=- wait={wait}";
        string source = r.Reply is { Source.Length: > 0 } reply ? Bracketed(reply.Source) : "[]";
        string flags = r.LastConn is null ? "NEW" : r.Sessions >= r.Limits.MaxConnPerRoute ? "LIMIT_ROUTE" : string.Empty;
        yield return $"  connector {source} refcount={N(1 + r.Sessions)} nconn={N(r.Sessions)} lastconn={Since(r.LastConn, now)} timeout=- flags={flags}";
    }

    /// <summary>"example.org|1700000000|550 5.1.1 User unknown".</summary>
    public static string HostStatLine(string domain, DateTimeOffset when, string error) =>
        $"{domain}|{N(when.ToUnixTimeSeconds())}|{error}";
}
