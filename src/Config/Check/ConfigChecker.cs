// Checks a parsed configuration as a whole: names resolve, names are unique, tables can serve
// what they are used for, listener options are coherent. Every problem is reported, not the first.
// Behaviour reference: usr.sbin/smtpd/parse.y (the checks its actions make), table.c (table_check_use).
namespace Smtpd.Config;

internal sealed partial class ConfigChecker
{
    // The services of the static backend (inline tables and plain files) and of db files.
    private static readonly HashSet<string> StaticServices =
    [
        "alias", "credentials", "domain", "netaddr", "userinfo", "source", "mailaddr", "addrname",
        "mailaddrmap", "relayhost", "string", "regex",
    ];

    private readonly SmtpdConfig _config;
    private readonly List<ConfigDiagnostic> _errors;
    private readonly List<ConfigDiagnostic>? _notices;
    private readonly Dictionary<string, TableDef> _tables = new(StringComparer.Ordinal);

    private readonly IReadOnlySet<string> _brokenActions;
    private readonly IReadOnlySet<string> _brokenTables;
    private readonly Func<string, IReadOnlyList<TableEntry>?>? _fileEntries;

    private ConfigChecker(SmtpdConfig config, List<ConfigDiagnostic> errors, IReadOnlySet<string> brokenActions, IReadOnlySet<string> brokenTables, Func<string, IReadOnlyList<TableEntry>?>? fileEntries, List<ConfigDiagnostic>? notices)
    {
        _notices = notices;
        _fileEntries = fileEntries;
        _config = config;
        _errors = errors;
        _brokenActions = brokenActions;
        _brokenTables = brokenTables;
    }

    /// <summary>Checks the model; <paramref name="brokenActions"/> and <paramref name="brokenTables"/>
    /// name actions and tables whose statements had syntax errors, so their uses do not get a
    /// second, misleading "undefined" error. <paramref name="fileEntries"/>, when given, reads the
    /// entries of a table file (null when it cannot), so a file table is checked like an inline one.
    /// <paramref name="notices"/> gets what is accepted but worth telling (printed, not fatal).</summary>
    public static void Check(SmtpdConfig config, List<ConfigDiagnostic> errors, IReadOnlySet<string> brokenActions, IReadOnlySet<string> brokenTables, Func<string, IReadOnlyList<TableEntry>?>? fileEntries = null, List<ConfigDiagnostic>? notices = null)
    {
        var checker = new ConfigChecker(config, errors, brokenActions, brokenTables, fileEntries, notices);
        checker.CheckNames();
        checker.CheckListeners();
        checker.CheckActions();
        checker.CheckFilters();
        checker.CheckRules();
    }

    private void Error(SourceLocation where, string message) => _errors.Add(new ConfigDiagnostic(where.File, where.Line, message));

    private void Notice(SourceLocation where, string message) => _notices?.Add(new ConfigDiagnostic(where.File, where.Line, message));

    private void CheckNames()
    {
        foreach (var table in _config.Tables)
        {
            if (!_tables.TryAdd(table.Name, table))
            {
                Error(table.Where, $"table \"{table.Name}\" already defined at {_tables[table.Name].Where}");
            }
            else if (table.IsInline && table.Entries.Count > 0)
            {
                CheckEntryShapes(table);
            }
            else if (table.Backend == "sqlite")
            {
                CheckSqliteTable(table);
            }
        }
        // OpenSMTPD loads every pki at start and refuses one that lacks either file.
        foreach (var pki in _config.Pkis)
        {
            if (pki.Cert is null)
            {
                Error(pki.Where, $"pki \"{pki.Name}\" has no certificate (add \"pki {pki.Name} cert FILE\")");
            }
            if (pki.Key is null)
            {
                Error(pki.Where, $"pki \"{pki.Name}\" has no key (add \"pki {pki.Name} key FILE\")");
            }
        }
        Unique(_config.Actions, a => a.Name, a => a.Where, "action");
        Unique(_config.Filters, f => f.Name, f => f.Where, "filter");
        Unique(_config.Procs, p => p.Name, p => p.Where, "proc");
        foreach (var filter in _config.Filters.Where(f => f.Kind == FilterKind.ProcExec))
        {
            if (_config.Procs.FirstOrDefault(p => p.Name == filter.Name) is { } proc)
            {
                Error(filter.Where, $"filter \"{filter.Name}\" starts a process of the same name as proc \"{proc.Name}\" defined at {proc.Where}");
            }
        }
    }

    private void CheckEntryShapes(TableDef table)
    {
        var isMap = table.Entries[0].Value is not null;
        if (table.Entries.Any(e => (e.Value is not null) != isMap))
        {
            Error(table.Where, $"table \"{table.Name}\" mixes list values and key = value pairs");
        }
    }

    private void Unique<T>(IEnumerable<T> items, Func<T, string> name, Func<T, SourceLocation> where, string what)
    {
        var seen = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (!seen.TryAdd(name(item), where(item)))
            {
                Error(where(item), $"{what} \"{name(item)}\" already defined at {seen[name(item)]}");
            }
        }
    }

    /// <summary>Resolves a table argument and checks it can serve <paramref name="use"/>.</summary>
    private void UseTable(TableRef? table, TableUse use, SourceLocation where)
    {
        if (table is null)
        {
            return;
        }
        if (table.IsInline)
        {
            var isMap = table.IsInlineMap;
            if (isMap ? !use.Map : !use.List)
            {
                Error(where, $"an inline {(isMap ? "map" : "list")} may not be used for {use.Usage} lookups: a {(isMap ? "list" : "map (key = value)")} is required");
            }
            CheckValues(table.Inline, use, where);
            return;
        }
        if (!_tables.TryGetValue(table.Name!, out var def))
        {
            if (!_brokenTables.Contains(table.Name!))
            {
                Error(where, $"undefined table \"{table.Name}\"");
            }
            return;
        }
        if (def.Backend == "sqlite")
        {
            CheckSqliteUse(def, use, where);
            return;
        }
        var services = ServicesOf(def.Backend);
        if (!services.Contains(use.Service) && !services.Contains("*"))
        {
            Error(where, $"table \"{def.Name}\" may not be used for {use.Usage} lookups: backend \"{def.Backend}\" does not provide the {use.Service} service");
            return;
        }
        // The first entry of a static table, inline or read from its file, makes it a list or a map.
        IReadOnlyList<TableEntry>? entries = def.IsInline ? def.Entries
            : def.Backend is "static" or "file" && def.Config is not null ? _fileEntries?.Invoke(def.Config)
            : null;
        if (entries is { Count: > 0 })
        {
            var isMap = entries[0].Value is not null;
            if (isMap ? !use.Map : !use.List)
            {
                Error(where, $"table \"{def.Name}\" may not be used for {use.Usage} lookups: it is a {(isMap ? "map" : "list")}, a {(isMap ? "list" : "map (key = value)")} is required");
                return;
            }
            CheckValues(entries, use, where);
        }
    }

    private static HashSet<string> ServicesOf(string backend) => backend switch
    {
        "static" or "file" or "db" => StaticServices,
        "getpwnam" => new HashSet<string> { "userinfo" },
        "passwd" => new HashSet<string> { "credentials", "userinfo" },
        "socketmap" => new HashSet<string> { "alias", "credentials", "domain", "netaddr", "userinfo", "source", "mailaddr", "addrname" },
        _ => new HashSet<string> { "*" },
    };

    // Source addresses for relaying must be addresses: a typo is found at load time. Entries of
    // netaddr tables ("from src") are not checked: OpenSMTPD accepts host names there, and an
    // entry that is no address or network simply never matches.
    private void CheckValues(IEnumerable<TableEntry> entries, TableUse use, SourceLocation where)
    {
        if (use.Service != "source")
        {
            return;
        }
        foreach (var entry in entries)
        {
            var text = entry.Value ?? entry.Key;
            if (!NetAddress.IsValid(text, allowPrefix: false))
            {
                Error(where, $"invalid source address \"{text}\": expected an IPv4 or IPv6 address");
            }
        }
    }
}
