// A route as the agent tracks it: one relay action's mail to one domain, the hosts the lka
// found for it, the tasks waiting, and how many sessions serve it now.
// Behaviour reference: usr.sbin/smtpd/mta.c (struct mta_relay: tasks, nconn).
using Smtpd.Ipc.Messages;

namespace Smtpd.Mta;

internal sealed class MtaRouteState
{
    public MtaRouteState(string dispatcher, string domain, MtaLimits limits)
    {
        Limits = limits;
        Dispatcher = dispatcher;
        Domain = domain;
    }

    public string Dispatcher { get; }

    public string Domain { get; }

    /// <summary>The `mta limit` settings for this route's domain.</summary>
    public MtaLimits Limits { get; }

    /// <summary>The lka's answer, once it came.</summary>
    public MtaRouteReply? Reply { get; set; }

    public bool LookingUp { get; set; }

    public Queue<MtaTask> Pending { get; } = new();

    public int Sessions { get; set; }

    /// <summary>How `smtpctl show relays` names it ("[relay:example.org,smtp]").</summary>
    public string Text { get; set; } = string.Empty;

    /// <summary>When its last session started connecting.</summary>
    public DateTimeOffset? LastConn { get; set; }
}
