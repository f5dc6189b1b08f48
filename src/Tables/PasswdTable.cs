// The passwd backend: virtual users from a passwd-format file (PasswdFile), answering the
// credentials service with "user:password" and userinfo with "uid:gid:home", as table-passwd
// does. An entry that lacks what the service needs (an empty password, a non-numeric id) is a
// broken table, so the lookup is a temporary failure rather than "unknown user". The file is read
// when the table is created; `smtpctl update table` creates it afresh (TableSet.Update).
// Behaviour reference: OpenSMTPD-extras extras/tables/table-passwd/table_passwd.c.
using Smtpd.Runtime;

namespace Smtpd.Tables;

internal sealed class PasswdTable : ITable
{
    private readonly Dictionary<string, PasswdLine> _entries;

    private PasswdTable(string name, Dictionary<string, PasswdLine> entries)
    {
        Name = name;
        _entries = entries;
    }

    public string Name { get; }

    /// <summary>The table read from <paramref name="path"/>, or an unavailable one naming file:line.</summary>
    public static ITable Load(string name, string path)
    {
        try
        {
            var (entries, line, problem) = PasswdFile.Parse(File.ReadAllText(path));
            return entries is null ? new UnavailableTable(name, $"{path}:{line}: {problem}") : new PasswdTable(name, entries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new UnavailableTable(name, $"{path}: {e.Message}");
        }
    }

    public MatchResult Match(TableService service, string key) => Lookup(service, key).Result;

    public (MatchResult Result, string? Value) Lookup(TableService service, string key)
    {
        if (service is not (TableService.Credentials or TableService.Userinfo))
        {
            return (MatchResult.TempFail, null);
        }

        // OpenSMTPD lower-cases every key before a backend sees it (table.c table_lookup), so
        // a user written with capitals in the file is never found, there as here.
        if (!_entries.TryGetValue(key.ToLowerInvariant(), out var entry))
        {
            return (MatchResult.NoMatch, null);
        }

        string? value = service == TableService.Credentials ? entry.Credentials : entry.Userinfo;
        if (value is null)
        {
            Log.Warn($"warn: table \"{Name}\": invalid {(service == TableService.Credentials ? "credentials" : "userinfo")} entry for \"{key}\"");
            return (MatchResult.TempFail, null);
        }

        return (MatchResult.Match, value);
    }
}
