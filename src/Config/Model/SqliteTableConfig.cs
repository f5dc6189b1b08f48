// The configuration file of a sqlite: table, in table-sqlite's format: one "directive value" per
// line ("directive: value" too), blank lines and lines starting with '#' ignored. It names the
// database and one SQL statement per lookup service, each taking the key as its one parameter.
// Read by the checker (which services a table can serve) and by the table itself.
// Behaviour reference: OpenSMTPD/table-sqlite table_sqlite.c table_sqlite_update(), table-sqlite.5.
using System.Globalization;

namespace Smtpd.Config;

internal sealed class SqliteTableConfig
{
    /// <summary>The services a query_SERVICE directive may name, and how many columns its statement returns.</summary>
    public static readonly IReadOnlyDictionary<string, int> QueryColumns = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["alias"] = 1,
        ["domain"] = 1,
        ["credentials"] = 2,
        ["netaddr"] = 1,
        ["userinfo"] = 3,
        ["source"] = 1,
        ["mailaddr"] = 1,
        ["addrname"] = 1,
        ["mailaddrmap"] = 1,
    };

    private readonly Dictionary<string, string> _queries = new(StringComparer.Ordinal);
    private readonly List<(int Line, string Message)> _problems = [];

    private SqliteTableConfig()
    {
    }

    /// <summary>The database file (dbpath), or null when the file does not say.</summary>
    public string? DbPath { get; private set; }

    /// <summary>The SQL of each query_SERVICE directive, by service name ("alias", "userinfo", ...).</summary>
    public IReadOnlyDictionary<string, string> Queries => _queries;

    /// <summary>The statement listing every source address (fetch_source), used by relay "src" tables.</summary>
    public string? FetchSource { get; private set; }

    /// <summary>What is wrong with the file, by line (0: the file as a whole); empty when it can be used.</summary>
    public IReadOnlyList<(int Line, string Message)> Problems => _problems;

    /// <summary>Reads and parses <paramref name="path"/>; throws IOException or UnauthorizedAccessException when it cannot be read.</summary>
    public static SqliteTableConfig Load(string path) => Parse(File.ReadAllText(path));

    public static SqliteTableConfig Parse(string text)
    {
        var config = new SqliteTableConfig();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var (directive, value) = Split(line);
            int number = i + 1;
            if (!seen.Add(directive))
            {
                // table-sqlite keeps one and warns; which one it keeps differs by directive, so
                // here a repeated directive is simply an error.
                config._problems.Add((number, $"duplicate {directive}"));
            }
            else if (value.Length == 0)
            {
                config._problems.Add((number, $"missing value for {directive}"));
            }
            else
            {
                config.Set(number, directive, value);
            }
        }

        if (!seen.Contains("dbpath"))
        {
            config._problems.Add((0, "no dbpath: the database file is not named"));
        }

        return config;
    }

    /// <summary>The directive a use of the <paramref name="service"/> service needs, or null if no directive can provide it.</summary>
    public static string? DirectiveFor(string service) =>
        service == "source" ? "fetch_source" : QueryColumns.ContainsKey(service) ? "query_" + service : null;

    /// <summary>Does the file provide what a use of <paramref name="service"/> needs? The relay "src" option fetches the whole list.</summary>
    public bool Provides(string service) => service == "source" ? FetchSource is not null : _queries.ContainsKey(service);

    // The directive ends at the first blank or colon; the value starts after any blanks and
    // ": " that follow, so "dbpath /x", "dbpath: /x" and "dbpath : /x" all say the same.
    private static (string Directive, string Value) Split(string line)
    {
        int end = line.AsSpan().IndexOfAny(' ', '\t', ':');
        if (end < 0)
        {
            return (line, string.Empty);
        }

        string rest = line[(end + 1)..];
        int start = 0;
        while (start < rest.Length && (char.IsWhiteSpace(rest[start]) || (rest[start] == ':' && start + 1 < rest.Length && char.IsWhiteSpace(rest[start + 1]))))
        {
            start++;
        }

        return (line[..end], rest[start..]);
    }

    private void Set(int line, string directive, string value)
    {
        switch (directive)
        {
            case "dbpath":
                if (!value.StartsWith('/'))
                {
                    _problems.Add((line, $"dbpath \"{value}\" is not an absolute path"));
                    return;
                }

                DbPath = value;
                return;
            case "fetch_source":
                FetchSource = value;
                return;
            case "fetch_source_expire" or "fetch_source_refresh":
                // How long and for how many fetches the source list is kept: checked here,
                // used once relay "src" tables fetch their list.
                CheckNumber(line, directive, value);
                return;
        }

        if (directive.StartsWith("query_", StringComparison.Ordinal) && QueryColumns.ContainsKey(directive[6..]))
        {
            _queries[directive[6..]] = value;
            return;
        }

        _problems.Add((line, $"unknown directive \"{directive}\""));
    }

    private void CheckNumber(int line, string directive, string value)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            _problems.Add((line, $"bad value for {directive}: \"{value}\" is not a number from 0 to {int.MaxValue}"));
        }
    }
}
