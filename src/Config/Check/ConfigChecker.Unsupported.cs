// What this version reads and checks but does not do yet. Every such statement or option in the
// configuration gets a warning, "FILE:LINE: <what>: not supported yet", from `smtpd -n` and in
// the start-up log, so that nothing configured is silently inert. A feature leaves this list in
// the change that makes it work.
// Behaviour reference: usr.sbin/smtpd/parse.y (what each statement turns on), smtp_session.c,
// mta.c, lka_filter.c, limit.c, scheduler.c (where OpenSMTPD uses it at run time).
namespace Smtpd.Config;

internal sealed partial class ConfigChecker
{
    // The limit keys the roles read; the others are accepted for compatibility only.
    private static readonly string[] MdaLimitsInUse = ["max-session", "max-session-per-user"];
    private static readonly string[] SchedulerLimitsInUse = ["max-inflight"];
    private static readonly string[] MtaLimitsInUse =
    [
        "max-conn-per-route", "max-conn-per-relay", "max-conn-per-connector", "max-conn-per-domain",
        "conn-delay-route", "conn-delay-relay", "conn-delay-connector", "conn-delay-domain",
        "session-mail-max", "session-transaction-delay", "session-keepalive", "max-failures-per-session",
    ];

    /// <summary>
    /// One warning for each statement or option of <paramref name="config"/> that has no effect
    /// yet, in file order. They do not make the configuration unusable: the daemon runs without
    /// the feature (mail for relay actions waits in the queue, filters are not run).
    /// </summary>
    public static IReadOnlyList<ConfigDiagnostic> Unsupported(SmtpdConfig config)
    {
        var found = new List<ConfigDiagnostic>();
        void NotSupported(SourceLocation where, string what) =>
            found.Add(new ConfigDiagnostic(where.File, where.Line, what + ": not supported yet"));

        if (config.Admd is not null)
        {
            NotSupported(config.AdmdWhere, "admd");
        }

        foreach (var limit in config.MdaLimits.Where(l => !MdaLimitsInUse.Contains(l.Key)))
        {
            NotSupported(limit.Where, "mda limit " + limit.Key);
        }

        // What the mta honours (Mta/MtaLimits.Supported; the address family too); the rest is read only.
        foreach (var limit in config.MtaLimits)
        {
            foreach (var s in limit.Settings.Where(s => !MtaLimitsInUse.Contains(s.Key)))
            {
                NotSupported(limit.Where, "mta limit " + s.Key);
            }
        }

        foreach (var limit in config.SchedulerLimits.Where(l => !SchedulerLimitsInUse.Contains(l.Key)))
        {
            NotSupported(limit.Where, "scheduler limit " + limit.Key);
        }

        // Filters work on listeners (smtp-in); filters on relay actions (smtp-out) do not yet.
        foreach (var filter in FiltersOnlyActionsUse(config))
        {
            NotSupported(filter.Where, $"filter \"{filter.Name}\" on a relay action");
        }

        foreach (var l in config.Listeners)
        {
            UnsupportedListenerOptions(l, NotSupported);
        }

        foreach (var a in config.Actions)
        {
            if (a.Wrapper is not null)
            {
                NotSupported(a.Where, $"action \"{a.Name}\" wrapper \"{a.Wrapper}\"");
            }
        }

        return InFileOrder(found);
    }

    private static void UnsupportedListenerOptions(ListenerDef l, Action<SourceLocation, string> notSupported)
    {
        var name = l.IsSocket ? "listen on socket" : $"listen on {l.Interface}";
        if (l.ProxyV2)
        {
            notSupported(l.Where, $"{name} proxy-v2");
        }

        if (l.Hostnames is not null)
        {
            notSupported(l.Where, $"{name} hostnames");
        }
    }

    // The filter declarations relay actions refer to (directly or through a chain) and no
    // listener does; one that nothing uses does nothing in OpenSMTPD either.
    private static IEnumerable<FilterDef> FiltersOnlyActionsUse(SmtpdConfig config)
    {
        var byListeners = Closure(config, config.Listeners.SelectMany(l => Names(l.Filter, l.FilterChain)));
        var byActions = Closure(config, config.Actions.SelectMany(a => Names(a.Filter, a.FilterChain)));
        byActions.ExceptWith(byListeners);
        return config.Filters.Where(f => byActions.Contains(f.Name));
    }

    private static IEnumerable<string> Names(string? filter, ValueList<string> chain) => filter is null ? chain : chain.Append(filter);

    private static HashSet<string> Closure(SmtpdConfig config, IEnumerable<string> roots)
    {
        var names = new HashSet<string>(roots, StringComparer.Ordinal);
        foreach (var chain in config.Filters.Where(f => f.Kind == FilterKind.Chain && names.Contains(f.Name)))
        {
            names.UnionWith(chain.Chain);
        }

        return names;
    }

    // Files in the order they are first mentioned, lines in order within each; the sort is stable.
    private static List<ConfigDiagnostic> InFileOrder(List<ConfigDiagnostic> found)
    {
        var fileOrder = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var d in found)
        {
            fileOrder.TryAdd(d.File, fileOrder.Count);
        }

        return [.. found.OrderBy(d => fileOrder[d.File]).ThenBy(d => d.Line)];
    }
}
