// The static backend: entries held in memory, from the configuration ("{ a, b }", "{ k = v }")
// or loaded from a file: tables. Keys are kept lower-cased and in key order, as OpenSMTPD's dict.
// Behaviour reference: usr.sbin/smtpd/table_static.c.
namespace Smtpd.Tables;

internal sealed class StaticTable : ITable
{
    private readonly SortedList<string, string?> _entries = new(StringComparer.Ordinal);

    public StaticTable(string name, IEnumerable<(string Key, string? Value)> entries, char subAddressDelimiter = '+')
    {
        Name = name;
        SubAddressDelimiter = subAddressDelimiter;
        foreach (var (key, value) in entries)
        {
            _entries[key.ToLowerInvariant()] = value;
        }
    }

    public StaticTable(string name, IEnumerable<Config.TableEntry> entries, char subAddressDelimiter = '+')
        : this(name, Pairs(entries), subAddressDelimiter)
    {
    }

    public string Name { get; }

    public char SubAddressDelimiter { get; }

    // (A loop: LINQ to a struct result costs idle memory, see smtpd.csproj.)
    private static List<(string Key, string? Value)> Pairs(IEnumerable<Config.TableEntry> entries)
    {
        var pairs = new List<(string Key, string? Value)>();
        foreach (var e in entries)
        {
            pairs.Add((e.Key, e.Value));
        }

        return pairs;
    }

    public bool IsMap => _entries.Values.Any(v => v is not null);

    public int Count => _entries.Count;

    /// <summary>The keys, for a fetch (a relay host or source address picked from a list).</summary>
    public IList<string> Keys => _entries.Keys;

    public MatchResult Match(TableService service, string key) => Lookup(service, key).Result;

    public (MatchResult Result, string? Value) Lookup(TableService service, string key)
    {
        string lkey = key.ToLowerInvariant();
        Func<string, string, bool>? compare = service switch
        {
            TableService.Domain => KeyMatch.Domain,
            TableService.Netaddr => KeyMatch.Netaddr,
            TableService.Mailaddr => (k, e) => KeyMatch.Mailaddr(k, e, SubAddressDelimiter),
            TableService.Regex => KeyMatch.Regex,
            _ => null,
        };

        if (compare is null)
        {
            return _entries.TryGetValue(lkey, out var exact) ? (MatchResult.Match, exact) : (MatchResult.NoMatch, null);
        }

        foreach (var (entry, value) in _entries)
        {
            if (compare(lkey, entry))
            {
                return (MatchResult.Match, value);
            }
        }

        return (MatchResult.NoMatch, null);
    }
}
