// Table declarations and table arguments ("<name>", "value", "{ a, b }", "{ k = v }").
// Behaviour reference: usr.sbin/smtpd/parse.y (table, tables, tableref, tablenew, tableval_list), table.5.
namespace Smtpd.Config;

internal sealed partial class Parser
{
    // table name backend:/path | table name "/path" | table name backend | table name { ... }
    private void ParseTable(Token keyword)
    {
        var name = ExpectTableName(keyword);
        // Remembered until the statement parses, so uses of the name get no second error.
        _brokenTables.Add(name);
        ParseTableDefinition(keyword, name);
        _brokenTables.Remove(name);
    }

    private void ParseTableDefinition(Token keyword, string name)
    {
        if (Peek().IsPunct('{'))
        {
            var entries = ParseTableValues(name);
            _tables.Add(new TableDef { Name = name, Backend = "static", Entries = entries, Where = Where(keyword) });
            return;
        }
        var specToken = Peek();
        if (specToken.IsPunct('/'))
        {
            // The lexer cannot start a word with "/": parse.y sees a lone "/" and refuses the line.
            Fail(specToken, $"syntax error: unquoted path after table \"{name}\": quote it (table {name} \"/...\")");
        }
        var spec = ExpectString("a table backend, path or \"{\"", name);
        string backend;
        string? config = null;
        if (spec.StartsWith('/'))
        {
            backend = "static";
            config = spec;
        }
        else
        {
            var colon = spec.IndexOf(':', StringComparison.Ordinal);
            backend = colon < 0 ? spec : spec[..colon];
            config = colon < 0 ? null : spec[(colon + 1)..];
            if (backend.Length == 0)
            {
                Fail(specToken, $"invalid backend for table \"{name}\": \"{spec}\"");
            }
        }
        if (config is not null && !config.StartsWith('/'))
        {
            Fail(specToken, $"invalid backend parameter for table \"{name}\": \"{config}\" is not an absolute path");
        }
        _tables.Add(new TableDef { Name = name, Backend = backend, Config = config, Where = Where(keyword) });
    }

    private string ExpectTableName(Token keyword)
    {
        // Pre-6.4 files wrote "table <name> ...": accept it and say how it is spelt now.
        if (Peek().IsPunct('<'))
        {
            Next();
            var legacy = ExpectString("a table name", "<");
            ExpectPunct('>', "table name");
            Notice(keyword, $"legacy syntax translated: table <{legacy}> is now written table {legacy}");
            return legacy;
        }
        return ExpectString("a table name", keyword.Text);
    }

    /// <summary>True when the next token can start a table argument.</summary>
    private bool PeekTableStart()
    {
        var token = Peek();
        return token.IsPunct('<') || token.IsPunct('{') || IsStringToken(token);
    }

    /// <summary>tables: "&lt;name&gt;", a single string, or an inline list or map.</summary>
    private TableRef ParseTables(string after)
    {
        var token = Peek();
        if (token.IsPunct('<'))
        {
            Next();
            var name = ExpectString("a table name", "<");
            ExpectPunct('>', name);
            return TableRef.Named(name);
        }
        if (token.IsPunct('{'))
        {
            return TableRef.Of(ParseTableValues(after));
        }
        return TableRef.Single(ExpectString("a table (\"<name>\", a value or \"{ ... }\")", after));
    }

    // '{' optnl (string | key (= | =>) value) (comma ...)* optnl '}', all values strings.
    private ValueList<TableEntry> ParseTableValues(string after)
    {
        var entries = new List<TableEntry>();
        bool? isMap = null;
        ParseBraceList(after, "a table value", () =>
        {
            var token = Next();
            if (!IsStringToken(token))
            {
                Fail(token, $"syntax error: expected a table value, got {Quoting(token)}");
            }
            string? value = null;
            if (Peek().IsPunct('=') || Peek().Kind == TokenKind.Arrow)
            {
                Next();
                var v = Next();
                if (!IsStringToken(v))
                {
                    Fail(v, $"syntax error: expected a value after \"{token.Text} =\", got {Quoting(v)}");
                }
                value = v.Text;
            }
            if (isMap is not null && isMap != (value is not null))
            {
                Fail(token, "cannot mix list values and key = value pairs in one table");
            }
            isMap = value is not null;
            entries.Add(new TableEntry(token.Text, value));
        });
        return new ValueList<TableEntry>(entries);
    }

    /// <summary>
    /// Reads "{ item, item }" as parse.y's lists do: items are separated by a comma, by newlines
    /// or by nothing at all, but a comma must be followed by another item, and the list is not empty.
    /// </summary>
    private void ParseBraceList(string after, string what, Action readItem)
    {
        var open = Next();
        if (!open.IsPunct('{'))
        {
            Fail(open, $"syntax error: expected \"{{\" after \"{after}\", got {open.Describe()}");
        }
        SkipNewlines();
        while (true)
        {
            if (Peek().IsPunct('}'))
            {
                Fail(Peek(), $"syntax error: expected {what}, got \"}}\"");
            }
            readItem();
            if (Peek().IsPunct(','))
            {
                Next();
                SkipNewlines();
                if (Peek().IsPunct('}'))
                {
                    Fail(Peek(), $"syntax error: a comma must be followed by {what}, got \"}}\" (remove the trailing comma)");
                }
                continue;
            }
            var lineEnded = Peek().Kind == TokenKind.Newline;
            SkipNewlines();
            if (Peek().IsPunct('}'))
            {
                Next();
                return;
            }
            // A keyword is never an item: at the start of a line it most likely begins the next statement.
            if (lineEnded && IsKeywordToken(Peek()))
            {
                Fail(Peek(), $"syntax error: expected {what} or \"}}\", got {Peek().Describe()} (is the \"}}\" of the list missing?)");
            }
        }
    }

    // A number or keyword where a string is needed: say how to make it one.
    private static string Quoting(Token token) =>
        token.Kind == TokenKind.Number || IsKeywordToken(token) ? $"{token.Describe()} (quote it: \"{token.Text}\")" : token.Describe();

    private void SkipNewlines()
    {
        while (Peek().Kind == TokenKind.Newline)
        {
            Next();
        }
    }

    private void ExpectPunct(char c, string after)
    {
        var token = Next();
        if (!token.IsPunct(c))
        {
            Fail(token, $"syntax error: expected \"{c}\" after \"{after}\", got {token.Describe()}");
        }
    }
}
