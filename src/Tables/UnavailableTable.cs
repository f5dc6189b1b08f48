// Stands in for a table whose backend cannot answer (file missing, db unreadable, unknown
// backend): every question is a temporary failure, so mail waits instead of being misrouted.
// The reason is logged once, on the first question, so a busy server does not flood the log.
using Smtpd.Runtime;

namespace Smtpd.Tables;

internal sealed class UnavailableTable : ITable
{
    private int _logged;

    public UnavailableTable(string name, string reason)
    {
        Name = name;
        Reason = reason;
    }

    public string Name { get; }

    public string Reason { get; }

    public MatchResult Match(TableService service, string key) => Lookup(service, key).Result;

    public (MatchResult Result, string? Value) Lookup(TableService service, string key)
    {
        if (Interlocked.Exchange(ref _logged, 1) == 0)
        {
            Log.Warn($"warn: table \"{Name}\" unavailable: {Reason}; lookups answer a temporary failure");
        }

        return (MatchResult.TempFail, null);
    }
}
