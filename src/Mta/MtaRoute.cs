// A route as OpenSMTPD's mta names it: one source address (or none) to one peer address. A
// route that never carried a session is "new"; when its first connection fails it is disabled
// for a while (15 s times the square of its penalty, at most an hour), and sessions skip it
// until then or until `smtpctl resume route` enables it again.
// Behaviour reference: usr.sbin/smtpd/mta.c (struct mta_route, mta_route_disable,
// mta_route_enable, mta_route_collect, IMSG_CTL_RESUME_ROUTE).
namespace Smtpd.Mta;

internal sealed class MtaRoute
{
    /// <summary>DELAY_ROUTE_BASE and DELAY_ROUTE_MAX, in seconds.</summary>
    private const int DelayBase = 15;
    private const int DelayMax = 3600;

    public MtaRoute(ulong id, string source, string address, string hostName)
    {
        Id = id;
        Source = source;
        Address = address;
        HostName = hostName;
    }

    /// <summary>The number `smtpctl show routes` prints and `resume route` takes.</summary>
    public ulong Id { get; }

    /// <summary>The local address sessions bind to; "" for the system's choice.</summary>
    public string Source { get; }

    public string Address { get; }

    public string HostName { get; }

    /// <summary>No session on this route has come as far as ready for mail yet.</summary>
    public bool New { get; private set; } = true;

    public DateTimeOffset? DisabledUntil { get; private set; }

    public int NConn { get; set; }

    public int NError { get; private set; }

    public int Penalty { get; private set; }

    /// <summary>"[]" or the source address, "&lt;-&gt;", the peer and its name (mta_route_to_text).</summary>
    public string Text => $"{(Source.Length == 0 ? "[]" : MtaShow.Bracketed(Source))} <-> {MtaShow.Bracketed(Address)}{(HostName.Length > 0 && HostName != Address ? $" ({HostName})" : string.Empty)}";

    /// <summary>Whether sessions must skip the route now; a disabling that has run out ends here, logged.</summary>
    public bool IsDisabled(DateTimeOffset now)
    {
        if (DisabledUntil is { } until && until <= now)
        {
            Enable("smtp-out: Enabling route " + Text);
        }

        return DisabledUntil is not null;
    }

    /// <summary>A session became ready: the route is known to work (mta_route_ok).</summary>
    public void Ok()
    {
        New = false;
        NError = 0;
    }

    /// <summary>A connection attempt that never became ready; only a new route is disabled for it (mta_route_collect).</summary>
    public void Failed(DateTimeOffset now)
    {
        NError++;
        if (!New)
        {
            return;
        }

        Penalty++;
        long delay = Math.Min((long)DelayBase * Penalty * Penalty, DelayMax);
        DisabledUntil = now.AddSeconds(delay);
        Runtime.Log.Info($"smtp-out: Disabling route {Text} for {delay}s");
    }

    /// <summary>`smtpctl resume route`: usable again at once, errors and penalty forgotten.</summary>
    public void Resume()
    {
        if (DisabledUntil is null)
        {
            return;
        }

        Enable($"smtp-out: Enabling route {Text} per admin request");
        NError = 0;
        Penalty = 0;
    }

    private void Enable(string logLine)
    {
        Runtime.Log.Info(logLine);
        DisabledUntil = null;
        New = true;
    }
}
