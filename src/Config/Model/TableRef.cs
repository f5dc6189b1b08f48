// A table as a directive's argument: either a reference to a declared table, "<name>", or an
// anonymous inline table, a single string or "{ ... }".
// Behaviour reference: usr.sbin/smtpd/parse.y (tables, tableref, tablenew).
namespace Smtpd.Config;

internal sealed record TableRef
{
    /// <summary>The declared table's name, or null for an inline table.</summary>
    public string? Name { get; init; }

    /// <summary>Entries of an inline table; empty for a reference.</summary>
    public ValueList<TableEntry> Inline { get; init; } = ValueList<TableEntry>.Empty;

    public bool IsInline => Name is null;

    /// <summary>An inline table is a map when its entries carry values (parse.y refuses to mix).</summary>
    public bool IsInlineMap => Inline.Count > 0 && Inline[0].Value is not null;

    public static TableRef Named(string name) => new() { Name = name };

    public static TableRef Of(IEnumerable<TableEntry> entries) => new() { Inline = new ValueList<TableEntry>(entries) };

    public static TableRef Single(string value) => Of([new TableEntry(value, null)]);
}
