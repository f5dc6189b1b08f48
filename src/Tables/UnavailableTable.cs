// Stands in for a table whose backend cannot answer (not built yet, file unreadable): every
// question is a temporary failure, so mail waits instead of being misrouted.
namespace Smtpd.Tables;

internal sealed class UnavailableTable : ITable
{
    public UnavailableTable(string name, string reason)
    {
        Name = name;
        Reason = reason;
    }

    public string Name { get; }

    public string Reason { get; }

    public MatchResult Match(TableService service, string key) => MatchResult.TempFail;

    public (MatchResult Result, string? Value) Lookup(TableService service, string key) => (MatchResult.TempFail, null);
}
