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

        if (config.MtaMaxDeferred is not null)
        {
            NotSupported(config.MtaMaxDeferredWhere, "mta max-deferred");
        }

        foreach (var limit in config.MtaLimits)
        {
            NotSupported(limit.Where, "mta limit");
        }

        foreach (var limit in config.SchedulerLimits.Where(l => !SchedulerLimitsInUse.Contains(l.Key)))
        {
            NotSupported(limit.Where, "scheduler limit " + limit.Key);
        }

        if (config.SrsKey is not null || config.SrsKeyBackup is not null || config.SrsTtl is not null)
        {
            NotSupported(config.SrsWhere, "srs");
        }

        foreach (var filter in FiltersInUse(config))
        {
            NotSupported(filter.Where, $"filter \"{filter.Name}\"");
        }

        foreach (var l in config.Listeners)
        {
            UnsupportedListenerOptions(l, NotSupported);
        }

        foreach (var a in config.Actions)
        {
            if (a.IsRelay)
            {
                // Host, tls, auth, srs, helo and the rest are all options of relaying.
                NotSupported(a.Where, $"action \"{a.Name}\" relay");
                continue;
            }

            if (a.Wrapper is not null)
            {
                NotSupported(a.Where, $"action \"{a.Name}\" wrapper \"{a.Wrapper}\"");
            }

            if (a.Ttl is not null)
            {
                NotSupported(a.Where, $"action \"{a.Name}\" ttl");
            }
        }

        return InFileOrder(found);
    }

    private static void UnsupportedListenerOptions(ListenerDef l, Action<SourceLocation, string> notSupported)
    {
        var name = l.IsSocket ? "listen on socket" : $"listen on {l.Interface}";
        if (l.Filter is not null)
        {
            notSupported(l.Where, $"{name} filter \"{l.Filter}\"");
        }

        if (l.FilterChain.Count > 0)
        {
            notSupported(l.Where, $"{name} filter {{ {string.Join(", ", l.FilterChain.Select(f => $"\"{f}\""))} }}");
        }

        if (l.ProxyV2)
        {
            notSupported(l.Where, $"{name} proxy-v2");
        }

        if (l.Hostnames is not null)
        {
            notSupported(l.Where, $"{name} hostnames");
        }
    }

    // The filter declarations a listener or an action refers to, directly or through a chain;
    // one that nothing uses does nothing in OpenSMTPD either.
    private static IEnumerable<FilterDef> FiltersInUse(SmtpdConfig config)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var l in config.Listeners)
        {
            AddFilterName(l.Filter);
            names.UnionWith(l.FilterChain);
        }

        foreach (var a in config.Actions)
        {
            AddFilterName(a.Filter);
            names.UnionWith(a.FilterChain);
        }

        foreach (var chain in config.Filters.Where(f => f.Kind == FilterKind.Chain && names.Contains(f.Name)))
        {
            names.UnionWith(chain.Chain);
        }

        return config.Filters.Where(f => names.Contains(f.Name));

        void AddFilterName(string? name)
        {
            if (name is not null)
            {
                names.Add(name);
            }
        }
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
