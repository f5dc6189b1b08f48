// The db: backend: a Berkeley DB hash file made by makemap. Like table_db, a changed file
// (new mtime) is picked up by the next lookup; matching follows the static backend's rules.
// Behaviour reference: usr.sbin/smtpd/table_db.c.
using Smtpd.Runtime;

namespace Smtpd.Tables;

internal sealed class DbTable : ITable
{
    private readonly object _lock = new();
    private readonly char _subAddressDelimiter;
    private StaticTable? _snapshot;
    private DateTime _mtime;
    private string? _lastError;

    public DbTable(string name, string path, char subAddressDelimiter = '+')
    {
        Name = name;
        Path = path;
        _subAddressDelimiter = subAddressDelimiter;
    }

    public string Name { get; }

    public string Path { get; }

    /// <summary>Why the file could not be read at the last attempt, or null when it could.</summary>
    public string? LastError => _lastError;

    public MatchResult Match(TableService service, string key) => Lookup(service, key).Result;

    public (MatchResult Result, string? Value) Lookup(TableService service, string key)
    {
        var table = Current();
        return table is null ? (MatchResult.TempFail, null) : table.Lookup(service, key);
    }

    // The whole file is read into memory when it changes: lookups then never touch libdb, a
    // makemap renaming a new file into place cannot be seen half-written, and matching services
    // (domain, netaddr, mailaddr) would walk every key anyway.
    private StaticTable? Current()
    {
        lock (_lock)
        {
            DateTime mtime;
            try
            {
                mtime = File.Exists(Path) ? File.GetLastWriteTimeUtc(Path) : throw new FileNotFoundException("no such file");
                if (_snapshot is not null && mtime == _mtime)
                {
                    return _snapshot;
                }

                using var db = DbFile.Open(Path, write: false);
                var entries = new List<(string, string?)>();
                foreach (var (key, value) in db.ReadAll()) // (a loop: LINQ to a struct result costs idle memory, see smtpd.csproj)
                {
                    entries.Add((key, value));
                }

                _snapshot = new StaticTable(Name, entries, _subAddressDelimiter);
                _mtime = mtime;
                _lastError = null;
                return _snapshot;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                string error = e.Message.StartsWith(Path, StringComparison.Ordinal) ? e.Message : $"{Path}: {e.Message}";
                if (error != _lastError)
                {
                    Log.Warn($"warn: table \"{Name}\": {error}; lookups answer a temporary failure");
                    _lastError = error;
                }

                _snapshot = null;
                return null;
            }
        }
    }
}
