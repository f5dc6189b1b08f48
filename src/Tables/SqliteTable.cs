// The sqlite: backend, built in: a table-sqlite configuration file names a database and one
// query per service; each lookup runs that query with the (lower-cased) key. A row means a
// match; the value is made from the rows as table-sqlite makes it. When the file, the database
// or a query is broken every lookup is a temporary failure, the reason is logged, and the next
// lookup tries again; `smtpctl update table` re-reads the file and reopens the database.
// Behaviour reference: OpenSMTPD/table-sqlite table_sqlite.c; usr.sbin/smtpd/table.c table_lookup().
using System.Globalization;
using Smtpd.Config;
using Smtpd.Runtime;

namespace Smtpd.Tables;

internal sealed class SqliteTable : ITable, IDisposable
{
    private readonly object _lock = new();
    private readonly Dictionary<TableService, SqliteStatement> _queries = [];
    private SqliteDb? _db;
    private string? _lastError;
    private TableService _reportedMissing;

    public SqliteTable(string name, string configPath)
    {
        Name = name;
        ConfigPath = configPath;
    }

    public string Name { get; }

    public string ConfigPath { get; }

    /// <summary>Why the table could not be opened at the last attempt, or null when it is open.</summary>
    public string? LastError
    {
        get
        {
            lock (_lock)
            {
                return _lastError;
            }
        }
    }

    /// <summary>Reads the configuration, opens the database and prepares the queries now; false (logged) when that fails.</summary>
    public bool Open()
    {
        lock (_lock)
        {
            return EnsureOpen();
        }
    }

    public MatchResult Match(TableService service, string key) => Run(service, key, matchOnly: true).Result;

    public (MatchResult Result, string? Value) Lookup(TableService service, string key) => Run(service, key, matchOnly: false);

    public void Dispose()
    {
        lock (_lock)
        {
            Close();
        }
    }

    private (MatchResult Result, string? Value) Run(TableService service, string key, bool matchOnly)
    {
        lock (_lock)
        {
            if (!EnsureOpen())
            {
                return (MatchResult.TempFail, null);
            }

            if (!_queries.TryGetValue(service, out var query))
            {
                NoQuery(service);
                return (MatchResult.TempFail, null);
            }

            List<string?[]> rows;
            try
            {
                // Every row counts only where the value joins them; elsewhere the first decides.
                bool allRows = !matchOnly && service is TableService.Alias or TableService.Mailaddrmap;

                // OpenSMTPD lower-cases every key before a backend sees it (table_lookup).
                rows = query.Query(key.ToLowerInvariant(), allRows ? int.MaxValue : 1);
            }
            catch (IOException e)
            {
                Log.Warn($"warn: table-sqlite: {Name}: query_{ProcTable.ServiceName(service)}: {e.Message}");
                return (MatchResult.TempFail, null);
            }

            if (rows.Count == 0)
            {
                return (MatchResult.NoMatch, null);
            }

            if (matchOnly)
            {
                return (MatchResult.Match, null);
            }

            if (Value(service, rows) is not { } value)
            {
                Log.Warn($"warn: table-sqlite: {Name}: query_{ProcTable.ServiceName(service)}: the row for \"{key}\" is not a valid {ProcTable.ServiceName(service)} entry");
                return (MatchResult.TempFail, null);
            }

            return (MatchResult.Match, value);
        }
    }

    // The value table-sqlite builds from the rows. Userinfo ids must be whole numbers: where
    // table-sqlite's sqlite3_column_int reads anything else as 0, that would deliver as root.
    private static string? Value(TableService service, List<string?[]> rows)
    {
        string?[] row = rows[0];
        switch (service)
        {
            case TableService.Alias or TableService.Mailaddrmap:
                return string.Join(", ", rows.Select(r => r[0]).Where(v => v is not null));
            case TableService.Credentials:
                return $"{row[0]}:{row[1]}";
            case TableService.Userinfo:
                return uint.TryParse(row[0], NumberStyles.None, CultureInfo.InvariantCulture, out uint uid)
                    && uint.TryParse(row[1], NumberStyles.None, CultureInfo.InvariantCulture, out uint gid)
                    && row[2] is { Length: > 0 } home
                    ? $"{uid}:{gid}:{home}"
                    : null;
            default:
                return row[0] ?? string.Empty;
        }
    }

    private void NoQuery(TableService service)
    {
        // Once per service: the checker refuses such uses, so this is a file changed since.
        if ((_reportedMissing & service) == 0)
        {
            _reportedMissing |= service;
            string name = ProcTable.ServiceName(service);
            string what = SqliteTableConfig.DirectiveFor(name) is { } directive ? $"{ConfigPath} has no {directive}" : "the backend has no such service";
            Log.Warn($"warn: table-sqlite: {Name}: cannot answer {name} lookups: {what}");
        }
    }

    private bool EnsureOpen()
    {
        if (_db is not null)
        {
            return true;
        }

        try
        {
            var config = SqliteTableConfig.Load(ConfigPath);
            if (config.Problems.Count > 0)
            {
                var (line, message) = config.Problems[0];
                throw new IOException(line > 0 ? $"{ConfigPath}:{line}: {message}" : $"{ConfigPath}: {message}");
            }

            _db = SqliteDb.Open(config.DbPath!);
            foreach (var (service, sql) in config.Queries)
            {
                _queries[ProcTable.ServiceFromName(service)] = Prepare("query_" + service, sql, SqliteTableConfig.QueryColumns[service], parameters: 1);
            }

            if (config.FetchSource is not null)
            {
                // Checked now so a broken one is found at start; relay "src" tables do not fetch yet.
                Prepare("fetch_source", config.FetchSource, columns: 1, parameters: 0).Dispose();
            }

            _lastError = null;
            _reportedMissing = TableService.None;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Close();
            string error = e switch
            {
                FileNotFoundException or DirectoryNotFoundException => $"{ConfigPath}: no such file",
                UnauthorizedAccessException => $"{ConfigPath}: permission denied",
                _ => e.Message,
            };
            if (error != _lastError)
            {
                Log.Warn($"warn: table-sqlite: {Name}: {error}; lookups answer a temporary failure");
                _lastError = error;
            }

            return false;
        }
    }

    private SqliteStatement Prepare(string directive, string sql, int columns, int parameters)
    {
        SqliteStatement statement;
        try
        {
            statement = _db!.Prepare(sql);
        }
        catch (IOException e)
        {
            throw new IOException($"{directive}: {e.Message}");
        }

        string? problem = statement.Columns != columns ? $"{directive}: the query returns {statement.Columns} columns, {columns} expected"
            : statement.Parameters != parameters ? $"{directive}: the query takes {statement.Parameters} parameters, {(parameters == 1 ? "the key is its only one" : "none expected")}"
            : null;
        if (problem is not null)
        {
            statement.Dispose();
            throw new IOException(problem);
        }

        return statement;
    }

    private void Close()
    {
        foreach (var statement in _queries.Values)
        {
            statement.Dispose();
        }

        _queries.Clear();
        _db?.Dispose();
        _db = null;
    }
}
