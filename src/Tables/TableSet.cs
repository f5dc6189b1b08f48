// Every table the lookup agent knows: the ones the configuration declares, anonymous inline
// ones, and OpenSMTPD's built-ins: <localhost> (local clients), <anyhost>, <localnames> (this
// machine's names and addresses) and <anydestination>.
// Behaviour reference: usr.sbin/smtpd/config.c config_default(), set_local(), set_localaddrs().
using System.Net;
using Smtpd.Config;

namespace Smtpd.Tables;

internal sealed class TableSet
{
    private readonly Dictionary<string, ITable> _named = new(StringComparer.Ordinal);
    private readonly Dictionary<TableRef, ITable> _inline = [];
    private readonly char _subAddressDelimiter;
    private readonly IReadOnlyList<TableDef> _defs;

    public TableSet(SmtpdConfig config, string hostname, IEnumerable<IPAddress> localAddresses)
    {
        _subAddressDelimiter = config.SmtpSubAddrDelim is { Length: > 0 } d ? d[0] : '+';
        var addrs = localAddresses.Select(Text).ToList();
        Add(new StaticTable("<anyhost>", [("local", null), ("0.0.0.0/0", null), ("::/0", null)]));
        var localhost = new List<(string, string?)> { ("local", null) };
        var localnames = new List<(string, string?)> { ("localhost", null), (hostname, null) };
        foreach (string a in addrs) // (a loop: LINQ to a struct result costs idle memory, see smtpd.csproj)
        {
            localhost.Add((a, null));
            localnames.Add((a, null));
        }

        Add(new StaticTable("<localhost>", localhost));
        Add(new StaticTable("<localnames>", localnames));
        string shortName = hostname.Split('.')[0];
        var anyDest = new List<(string, string?)> { ("*", null) };
        if (shortName != hostname)
        {
            anyDest.Add((shortName, null));
        }

        Add(new StaticTable("<anydestination>", anyDest));
        _defs = config.Tables;
        foreach (var t in config.Tables)
        {
            Add(Create(t));
        }
    }

    public ITable Resolve(TableRef table)
    {
        if (table.Name is not null)
        {
            return _named.TryGetValue(table.Name, out var t) ? t : new UnavailableTable(table.Name, "undefined table");
        }

        if (!_inline.TryGetValue(table, out var inline))
        {
            inline = new StaticTable("<inline>", table.Inline, _subAddressDelimiter);
            _inline[table] = inline;
        }

        return inline;
    }

    public ITable Builtin(string name) => _named[name];

    /// <summary>How an address is written as a table key and in logs (ss_to_text): dotted IPv4, bracketed IPv6.</summary>
    public static string Text(IPAddress address)
    {
        var a = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{a}]" : a.ToString();
    }

    private void Add(ITable table) => _named[table.Name] = table;

    /// <summary>
    /// Re-reads one declared table (smtpctl update table): the new backend replaces the old one
    /// for every later lookup, while one already running finishes on the table it resolved.
    /// </summary>
    public (bool Ok, string Error) Update(string name)
    {
        var def = _defs.FirstOrDefault(d => d.Name == name);
        if (def is null)
        {
            return (false, "no such table");
        }

        if (_named.GetValueOrDefault(name) is ProcTable proc)
        {
            return proc.Update();
        }

        var fresh = Create(def);
        if (fresh is UnavailableTable u)
        {
            return (false, u.Reason);
        }

        if (fresh is DbTable { LastError: { } error })
        {
            return (false, error);
        }

        if (fresh is SqliteTable { LastError: { } sqliteError } unopened)
        {
            unopened.Dispose();
            return (false, sqliteError);
        }

        var old = _named[name];
        _named[name] = fresh;
        (old as IDisposable)?.Dispose();
        return (true, string.Empty);
    }

    private ITable Create(TableDef def)
    {
        if (def.IsInline)
        {
            return new StaticTable(def.Name, def.Entries, _subAddressDelimiter);
        }

        if (def.Backend is "file" or "static" && def.Config is not null)
        {
            try
            {
                var (entries, malformed) = TableFile.Parse(File.ReadAllText(def.Config));
                return malformed == 0
                    ? new StaticTable(def.Name, entries, _subAddressDelimiter)
                    : new UnavailableTable(def.Name, $"{def.Config}:{malformed} invalid map entry");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return new UnavailableTable(def.Name, $"{def.Config}: {e.Message}");
            }
        }

        switch (def.Backend)
        {
            case "db" when def.Config is not null:
                // Read once now, so a missing or broken map is logged at start; the table
                // itself keeps trying, and answers once makemap has written the file.
                var db = new DbTable(def.Name, def.Config, _subAddressDelimiter);
                db.Lookup(TableService.String, string.Empty);
                return db;
            case "sqlite" when def.Config is not null:
                // Opened now, so a broken file, database or query is logged at start; the table
                // tries again at each lookup until it opens.
                var sqlite = new SqliteTable(def.Name, def.Config);
                sqlite.Open();
                return sqlite;
            case "getpwnam":
                return new GetpwnamTable(def.Name);
            case "passwd" when def.Config is not null:
                return PasswdTable.Load(def.Name, def.Config);
            case "socketmap" when def.Config is not null:
                var socketmap = new SocketmapTable(def.Name, def.Config);
                socketmap.Open();
                return socketmap;
            case "static" or "file" or "db" or "sqlite" or "passwd" or "socketmap":
                return new UnavailableTable(def.Name, $"backend \"{def.Backend}\" needs a file");
        }

        // Any other backend name is a program in the libexec directory (table.c table_create).
        string program = Path.Combine(ProcTable.LibexecDir, "table-" + def.Backend);
        if (!File.Exists(program))
        {
            return new UnavailableTable(def.Name, $"unknown table backend \"{def.Backend}\" (no {program})");
        }

        // Started with the lookup agent (smtpd-tables(7): programs run from startup); one that
        // fails is logged now and tried again at a later lookup.
        var proc = new ProcTable(def.Name, program, def.Config);
        proc.Start();
        return proc;
    }
}
