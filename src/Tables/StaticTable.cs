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
        if (service == TableService.Regex)
        {
            return LookupRegex(lkey);
        }

        Func<string, string, bool>? compare = service switch
        {
            TableService.Domain => KeyMatch.Domain,
            TableService.Netaddr => KeyMatch.Netaddr,
            TableService.Mailaddr => (k, e) => KeyMatch.Mailaddr(k, e, SubAddressDelimiter),
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

    // The first pattern that matches wins; one that timed out, with none matching, fails the lookup.
    private (MatchResult Result, string? Value) LookupRegex(string key)
    {
        bool failed = false;
        foreach (var (entry, value) in _entries)
        {
            switch (KeyMatch.RegexResult(key, entry))
            {
                case MatchResult.Match:
                    return (MatchResult.Match, value);
                case MatchResult.TempFail:
                    failed = true;
                    break;
            }
        }

        return (failed ? MatchResult.TempFail : MatchResult.NoMatch, null);
    }
}
