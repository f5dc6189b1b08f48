// What smtpctl asks of the mta: its hosts, relays, routes and hoststats as text lines, and
// `resume route` to enable a disabled route at once.
// Behaviour reference: usr.sbin/smtpd/mta.c (IMSG_CTL_MTA_SHOW_*, IMSG_CTL_RESUME_ROUTE).
using Smtpd.Ipc.Messages;

namespace Smtpd.Mta;

internal sealed partial class MtaAgent
{
    /// <summary>The lines of one `smtpctl show` listing, as OpenSMTPD's mta composes them.</summary>
    public List<string> Show(CtlMtaShowKind kind)
    {
        var now = _registry.Now;
        return kind switch
        {
            CtlMtaShowKind.Hosts => [.. _registry.Hosts(_routes.Values.Where(r => r.Reply is not null).SelectMany(r => r.Reply!.Value.Hosts.SelectMany(h => h.Addresses)))
                .Select(h => MtaShow.HostLine(h.Host, h.Refcount, now))],
            CtlMtaShowKind.Relays => [.. _routes.Values.OrderBy(r => r.Text, StringComparer.Ordinal).SelectMany(r => MtaShow.RelayLines(r, now))],
            CtlMtaShowKind.Routes => [.. _registry.LiveRoutes().Select(r => MtaShow.RouteLine(r, now))],
            _ => [.. _registry.HostStats().Select(s => MtaShow.HostStatLine(s.Domain, s.When, s.Error))],
        };
    }

    /// <summary>`smtpctl resume route ID`; 0 resumes every route.</summary>
    public void ResumeRoute(ulong id) => _registry.Resume(id);
}
