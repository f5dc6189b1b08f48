// A "table" declaration: a name, a backend and either the backend's argument or inline entries.
// Behaviour reference: usr.sbin/smtpd/parse.y (table), table.5, table.c (table_create).
namespace Smtpd.Config;

internal sealed record TableDef
{
    public required string Name { get; init; }

    /// <summary>"static" (inline entries or a "/path" file), "file", "db", "getpwnam", or an external backend name.</summary>
    public required string Backend { get; init; }

    /// <summary>The text after "backend:" (always an absolute path), or the path of a bare "/path" table.</summary>
    public string? Config { get; init; }

    public ValueList<TableEntry> Entries { get; init; } = ValueList<TableEntry>.Empty;

    public SourceLocation Where { get; init; } = SourceLocation.None;

    public bool IsInline => Backend == "static" && Config is null;
}
