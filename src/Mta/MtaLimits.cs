// The `mta limit` settings that shape relaying to one destination domain. Our relay is one
// action's mail to one domain, served by sessions to the first host that takes them, so the
// caps OpenSMTPD keeps per route, relay, connector and domain all bound the same sessions here:
// the smallest wins. Also: the spacing between two session starts (conn-delay-*), messages per
// session (session-mail-max), a pause between its transactions (session-transaction-delay), how
// long an idle session waits for more mail before QUIT (session-keepalive), and how many failed
// transactions end a session (max-failures-per-session). Limits without a domain apply to every
// destination; those for the domain come after them and win.
// Behaviour reference: usr.sbin/smtpd/limit.c (limit_mta_set_defaults, limit_mta_set), mta.c, mta_session.c.
using System.Net.Sockets;
using Smtpd.Config;

namespace Smtpd.Mta;

internal sealed record MtaLimits
{
    /// <summary>The keys this version honours; the others are read and warned about.</summary>
    public static readonly string[] Supported =
    [
        "max-conn-per-route", "max-conn-per-relay", "max-conn-per-connector", "max-conn-per-domain",
        "conn-delay-route", "conn-delay-relay", "conn-delay-connector", "conn-delay-domain",
        "session-mail-max", "session-transaction-delay", "session-keepalive", "max-failures-per-session",
    ];

    /// <summary>
    /// Sessions at once per relay: 20, Postfix's default_destination_concurrency_limit. OpenSMTPD
    /// allows 5 per route (source and peer address) but up to 100 per relay over its routes; one
    /// peer at a few milliseconds per message needs more than 5 to keep up with what we accept.
    /// </summary>
    public int MaxConnPerRoute { get; init; } = DefaultMaxConn;

    public const int DefaultMaxConn = 20;

    /// <summary>OpenSMTPD's default max_mail_per_session.</summary>
    public int SessionMailMax { get; init; } = 100;

    /// <summary>The least time between the starts of two sessions; none by default (OpenSMTPD waits 5 s per route, which is what makes it slow).</summary>
    public TimeSpan ConnDelay { get; init; }

    /// <summary>A pause between two transactions of a session; none by default, as in OpenSMTPD.</summary>
    public TimeSpan TransactionDelay { get; init; }

    /// <summary>How long a session with nothing to do waits for more mail before QUIT; 0 (at once) unless configured.</summary>
    public TimeSpan KeepAlive { get; init; }

    /// <summary>Failed transactions after which a session ends (OpenSMTPD's default 25).</summary>
    public int MaxFailuresPerSession { get; init; } = 25;

    /// <summary>inet4 or inet6: connections only in that family; null for both.</summary>
    public AddressFamily? Family { get; init; }

    public static MtaLimits For(SmtpdConfig config, string domain)
    {
        var limits = new MtaLimits();
        foreach (var def in config.MtaLimits.Where(d => d.Domain is null).Concat(config.MtaLimits.Where(d => d.Domain is { } x && string.Equals(x, domain, StringComparison.OrdinalIgnoreCase))))
        {
            limits = Apply(limits, def);
        }

        return limits;
    }

    private static MtaLimits Apply(MtaLimits limits, MtaLimitDef def)
    {
        if (def.Family is "inet4" or "inet6")
        {
            limits = limits with { Family = def.Family == "inet4" ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6 };
        }

        // The caps of one statement bound the same sessions: its smallest applies, replacing an earlier statement's.
        var caps = def.Settings.Where(s => s.Key is "max-conn-per-route" or "max-conn-per-relay" or "max-conn-per-connector" or "max-conn-per-domain").ToList();
        if (caps.Count > 0)
        {
            limits = limits with { MaxConnPerRoute = (int)Math.Clamp(caps.Min(s => s.Value), 1, int.MaxValue) };
        }

        foreach (var s in def.Settings)
        {
            int v = (int)Math.Clamp(s.Value, 1, int.MaxValue);
            var seconds = TimeSpan.FromSeconds(Math.Clamp(s.Value, 0, 86400));
            limits = s.Key switch
            {
                "conn-delay-route" or "conn-delay-relay" or "conn-delay-connector" or "conn-delay-domain" =>
                    limits with { ConnDelay = seconds },
                "session-mail-max" => limits with { SessionMailMax = v },
                "session-transaction-delay" => limits with { TransactionDelay = seconds },
                "session-keepalive" => limits with { KeepAlive = seconds },
                "max-failures-per-session" => limits with { MaxFailuresPerSession = v },
                _ => limits,
            };
        }

        return limits;
    }
}
