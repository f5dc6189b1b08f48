// What a configuration reload can take over while running: rules, actions and tables (the
// lookup agent's), the scheduler's limit and the bounce warning intervals (the scheduler's). Every other section is compared as the canonical printer writes it, so a
// change of line numbers or spelling alone is no change; a changed global setting is named by
// its statement's first words ("queue ttl", "smtp limit").
namespace Smtpd.Config;

internal static class ConfigReload
{
    private static readonly (string Name, Func<SmtpdConfig, SmtpdConfig> Part)[] Sections =
    [
        ("global settings", c => c with { SchedulerLimits = ValueList<LimitSetting>.Empty, BounceWarnIntervals = ValueList<int>.Empty, Tables = ValueList<TableDef>.Empty, Pkis = ValueList<PkiDef>.Empty, Cas = ValueList<CaDef>.Empty, Procs = ValueList<ProcDef>.Empty, Filters = ValueList<FilterDef>.Empty, Listeners = ValueList<ListenerDef>.Empty, Actions = ValueList<ActionDef>.Empty, Rules = ValueList<MatchRule>.Empty }),
        ("pki/ca", c => new SmtpdConfig { Pkis = new(c.Pkis.Where(p => !PkiTables.FromTable(p.Name))), Cas = c.Cas }),
        ("filters", c => new SmtpdConfig { Procs = c.Procs, Filters = c.Filters }),
        ("listeners", c => new SmtpdConfig { Listeners = c.Listeners }),
    ];

    /// <summary>The sections that differ and need a restart; empty when a reload can apply the new file.</summary>
    public static List<string> NeedRestart(SmtpdConfig running, SmtpdConfig next)
    {
        var changed = new List<string>();
        foreach (var (name, part) in Sections)
        {
            string before = ConfigPrinter.Print(part(running));
            string after = ConfigPrinter.Print(part(next));
            if (before == after)
            {
                continue;
            }

            if (name != "global settings")
            {
                changed.Add(name);
                continue;
            }

            var a = before.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var b = after.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var statements = a.Except(b).Concat(b.Except(a))
                .Select(l => string.Join(' ', l.Split(' ').Take(2)))
                .Distinct()
                .Order(StringComparer.Ordinal);
            changed.Add($"global settings ({string.Join(", ", statements)})");
        }

        return changed;
    }
}
