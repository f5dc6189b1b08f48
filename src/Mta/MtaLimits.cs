// The `mta limit` settings that shape relaying to one destination domain: how many sessions may
// be open to it at once, how many messages one session carries before it is closed and a fresh
// one opened, and which address family connections use. Limits without a domain apply to every
// destination; those for the domain come after them and win.
// Behaviour reference: usr.sbin/smtpd/limit.c (limit_mta_set_defaults, limit_mta_set), mta.c.
using System.Net.Sockets;
using Smtpd.Config;

namespace Smtpd.Mta;

internal sealed record MtaLimits
{
    /// <summary>The keys this version honours; the others are read and warned about.</summary>
    public static readonly string[] Supported = ["max-conn-per-route", "session-mail-max"];

    /// <summary>OpenSMTPD's default max_conn_per_route.</summary>
    public int MaxConnPerRoute { get; init; } = 5;

    /// <summary>OpenSMTPD's default max_mail_per_session.</summary>
    public int SessionMailMax { get; init; } = 100;

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

        foreach (var s in def.Settings)
        {
            int v = (int)Math.Clamp(s.Value, 1, int.MaxValue);
            limits = s.Key switch
            {
                "max-conn-per-route" => limits with { MaxConnPerRoute = v },
                "session-mail-max" => limits with { SessionMailMax = v },
                _ => limits,
            };
        }

        return limits;
    }
}
