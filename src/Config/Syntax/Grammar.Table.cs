// "table" statements: a table's backend and its file, or its values inline.
// Behaviour reference: usr.sbin/smtpd/parse.y (table, tablenew), table.5.
using Pidgin;

namespace Smtpd.Config;

internal static partial class Grammar
{
    // table name backend:/path | table name "/path" | table name backend | table name { ... }
    public static readonly Parser<Token, Action<Parser>> Table =
        from keyword in Kw("table")
        from name in TableName
        from table in TableDefinition(name.Name)
        from end in EndOfStatement
        select new Action<Parser>(p =>
        {
            if (name.Legacy)
            {
                p.Notice(keyword, $"legacy syntax translated: table <{name.Name}> is now written table {name.Name}");
            }
            p.AddTable(table with { Where = Parser.Where(keyword) });
        });

    // Pre-6.4 files wrote "table <name> ...": accepted, with a notice of how it is spelt now.
    private static Parser<Token, (string Name, bool Legacy)> TableName => Memo(("table-name", null, null), static _ =>
        (from open in Punct('<')
         from legacy in Str("a table name", "<")
         from close in ExpectPunct('>', "table name")
         select (legacy, true))
        .Else(Str("a table name", "table").Select(name => (name, false))));

    private static Parser<Token, TableDef> TableDefinition(string name) =>
        TableValues("table").Select(entries => new TableDef { Name = name, Backend = "static", Entries = entries }).Else(
        // The lexer cannot start a word with "/": parse.y sees a lone "/" and refuses the line.
        StringToken.Else(Unexpected<Token>(t => t.IsPunct('/')
                ? $"syntax error: unquoted path after table \"{name}\": quote it (table {name} \"/...\")"
                : $"syntax error: expected a table backend, path or \"{{\" after \"{name}\", got {DescribeNonString(t)}"))
            .Check(t => BackendError(name, t.Text))
            .Select(t => BackendTable(name, t.Text)));

    private static string? BackendError(string name, string spec)
    {
        if (spec.StartsWith('/'))
        {
            return null;
        }
        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        if ((colon < 0 ? spec : spec[..colon]).Length == 0)
        {
            return $"invalid backend for table \"{name}\": \"{spec}\"";
        }
        if (colon >= 0 && !spec[(colon + 1)..].StartsWith('/'))
        {
            return $"invalid backend parameter for table \"{name}\": \"{spec[(colon + 1)..]}\" is not an absolute path";
        }
        return null;
    }

    private static TableDef BackendTable(string name, string spec)
    {
        if (spec.StartsWith('/'))
        {
            return new TableDef { Name = name, Backend = "static", Config = spec };
        }
        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        return new TableDef { Name = name, Backend = colon < 0 ? spec : spec[..colon], Config = colon < 0 ? null : spec[(colon + 1)..] };
    }
}
