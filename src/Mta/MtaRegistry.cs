// What the mta knows beyond the tasks it carries, for smtpctl and for choosing where to connect:
// the peer addresses it uses (with their names, open sessions and last connection), the routes
// from a source to a peer (some disabled after a failed first connection), and the last error
// per destination domain (hoststats, kept four hours).
// Behaviour reference: usr.sbin/smtpd/mta.c (mta_host, mta_route, mta_hoststat_update,
// HOSTSTAT_EXPIRE_DELAY).
namespace Smtpd.Mta;

internal sealed class MtaRegistry
{
    private static readonly TimeSpan HostStatLifetime = TimeSpan.FromHours(4);

    private readonly Func<DateTimeOffset> _clock;
    private readonly Dictionary<(string Source, string Address), MtaRoute> _routes = [];
    private readonly Dictionary<string, MtaPeerHost> _hosts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (DateTimeOffset When, string Error)> _hostStats = new(StringComparer.Ordinal);
    private ulong _nextRouteId;

    public MtaRegistry(Func<DateTimeOffset>? clock = null) => _clock = clock ?? (() => DateTimeOffset.UtcNow);

    public DateTimeOffset Now => _clock();

    /// <summary>The route from <paramref name="source"/> to <paramref name="address"/>, made on first use.</summary>
    public MtaRoute Route(string source, string address, string hostName)
    {
        if (!_routes.TryGetValue((source, address), out var route))
        {
            route = new MtaRoute(++_nextRouteId, source, address, hostName);
            _routes[(source, address)] = route;
        }

        return route;
    }

    /// <summary>A session to the route opens: counted on the route and its host.</summary>
    public void Connecting(MtaRoute route)
    {
        route.NConn++;
        var host = Host(route.Address, route.HostName);
        host.NConn++;
        host.LastConn = Now;
    }

    /// <summary>The session ended; a route neither in use nor disabled is forgotten (its next session starts it anew, as OpenSMTPD frees it).</summary>
    public void Closed(MtaRoute route)
    {
        route.NConn--;
        if (_hosts.TryGetValue(route.Address, out var host))
        {
            host.NConn--;
        }

        if (route.NConn <= 0 && route.DisabledUntil is null && !route.New)
        {
            _routes.Remove((route.Source, route.Address));
        }
    }

    /// <summary>The peer address <paramref name="address"/>, made on first use.</summary>
    public MtaPeerHost Host(string address, string name)
    {
        if (!_hosts.TryGetValue(address, out var host))
        {
            host = new MtaPeerHost(address, name);
            _hosts[address] = host;
        }

        return host;
    }

    /// <summary>An envelope for <paramref name="domain"/> failed with <paramref name="error"/> (mta_hoststat_update).</summary>
    public void HostStat(string domain, string error) => _hostStats[domain.ToLowerInvariant()] = (Now, error);

    /// <summary>Routes in the order they were made.</summary>
    public IEnumerable<MtaRoute> Routes
    {
        get
        {
            var now = Now;
            foreach (var r in _routes.Values.Where(r => r.DisabledUntil is not null).ToList())
            {
                // A disabling that ran out ends here too, so that the listing is current.
                _ = r.IsDisabled(now);
            }

            return _routes.Values.OrderBy(r => r.Id).ToList();
        }
    }

    /// <summary>Routes still worth showing: in use or disabled; the others are dropped here.</summary>
    public IEnumerable<MtaRoute> LiveRoutes() => Routes.Where(r => r.NConn > 0 || r.DisabledUntil is not null);

    /// <summary>Hosts with what refers to them: <paramref name="inUse"/> (addresses of routes' current lookups) and routes.</summary>
    public List<(MtaPeerHost Host, int Refcount)> Hosts(IEnumerable<string> inUse)
    {
        var refs = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var a in inUse.Concat(LiveRoutes().Select(r => r.Address)))
        {
            refs[a] = refs.GetValueOrDefault(a) + 1;
        }

        foreach (var gone in _hosts.Keys.Where(a => !refs.ContainsKey(a) && _hosts[a].NConn <= 0).ToList())
        {
            _hosts.Remove(gone);
        }

        return [.. _hosts.Values.OrderBy(h => h.Address, StringComparer.Ordinal).Select(h => (h, refs.GetValueOrDefault(h.Address)))];
    }

    /// <summary>Hoststats younger than four hours, by domain.</summary>
    public List<(string Domain, DateTimeOffset When, string Error)> HostStats()
    {
        var now = Now;
        foreach (var old in _hostStats.Where(s => now - s.Value.When >= HostStatLifetime).Select(s => s.Key).ToList())
        {
            _hostStats.Remove(old);
        }

        return [.. _hostStats.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => (s.Key, s.Value.When, s.Value.Error))];
    }

    /// <summary>`smtpctl resume route ID` (0: every route).</summary>
    public void Resume(ulong id)
    {
        Runtime.Log.Debug(id == 0 ? "debug: resuming all routes" : $"debug: resuming route: {id}");
        foreach (var r in _routes.Values.Where(r => id == 0 || r.Id == id))
        {
            r.Resume();
        }
    }
}
