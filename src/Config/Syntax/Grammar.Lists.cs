// Table arguments and brace lists: "<name>", a single value, "{ a, b }" and "{ key = value }".
// Behaviour reference: usr.sbin/smtpd/parse.y (tables, tableref, tablenew, tableval_list, optnl).
using Pidgin;
using P = Pidgin.Parser<Smtpd.Config.Token>;

namespace Smtpd.Config;

internal static partial class Grammar
{
    public static Parser<Token, Token> Arrow => Memo(("arrow", null, null), static _ => P.Token(t => t.Kind == TokenKind.Arrow));

    /// <summary>True when the token can start a table argument.</summary>
    public static bool IsTableStart(Token token) => token.IsPunct('<') || token.IsPunct('{') || IsStringToken(token);

    /// <summary>tables: "&lt;name&gt;", a single string, or an inline list or map.</summary>
    public static Parser<Token, TableRef> Tables(string after) => Memo(("tables", after, null), static k => TablesOf(k.A!));

    private static Parser<Token, TableRef> TablesOf(string after) =>
        NamedTable
        .Else(Punct('{').Then(TableItems).Select(TableRef.Of))
        .Else(Str("a table (\"<name>\", a value or \"{ ... }\")", after).Select(TableRef.Single));

    // "<" name ">": the message for a missing ">" names the table.
    private static Parser<Token, TableRef> NamedTable => Memo(("named-table", null, null), static _ =>
        Punct('<').Then(Str("a table name", "<")).Then(name => Punct('>').Else(Unexpected<Token>(t => $"syntax error: expected \">\" after \"{name}\", got {t.Describe()}")), (name, _) => TableRef.Named(name)));

    /// <summary>A table argument when one follows, as "from rdns" or "auth" allow.</summary>
    public static Parser<Token, TableRef?> OptionalTables(string after) => Memo(("optional-tables", after, null), static k =>
        Tables(k.A!).Select(r => (TableRef?)r).Else(P.Return<TableRef?>(null)));

    // '{' optnl (string | key (= | =>) value) (comma ...)* optnl '}', all values strings.
    public static Parser<Token, ValueList<TableEntry>> TableValues(string after) => ExpectPunct('{', after).Then(TableItems);

    private static Parser<Token, ValueList<TableEntry>> TableItems => Memo(("table-items", null, null), static _ =>
        new BraceItems<TableEntry>("a table value", _ => TableEntry, (previous, entry) =>
            previous.Count > 0 && (previous[0].Value is null) != (entry.Value is null) ? "cannot mix list values and key = value pairs in one table" : null));

    // key [(= | =>) value]; the message for a missing value names the key, so this one is read by hand.
    private static Parser<Token, TableEntry> TableEntry => Memo(("table-entry", null, null), static _ => new TableEntryParser());

    // '{' optnl name (comma name)* '}'
    public static Parser<Token, ValueList<string>> FilterNames(string after) =>
        BraceList(after, "a filter name", i => Str("a filter name", i == 0 ? "{" : after), null);

    public static Parser<Token, Token> ExpectPunct(char c, string after) => Memo(("expect-punct", PunctText(c), after), static k => ExpectPunctOf(k.A![0], k.B!));

    public static Parser<Token, Token> ExpectPunctOf(char c, string after) =>
        Punct(c).Else(Unexpected<Token>(t => $"syntax error: expected \"{c}\" after \"{after}\", got {t.Describe()}"));

    /// <summary>
    /// "{ item, item }" as parse.y's lists read it: items are separated by a comma, by newlines or
    /// by nothing at all, but a comma must be followed by another item, and the list is not empty.
    /// <paramref name="conflict"/> may refuse an item given the ones before it (at the item).
    /// </summary>
    public static Parser<Token, ValueList<T>> BraceList<T>(string after, string what, Func<int, Parser<Token, T>> item, Func<List<T>, T, string?>? conflict) =>
        ExpectPunct('{', after).Then(new BraceItems<T>(what, item, conflict));

    // A number or keyword where a string is needed: say how to make it one.
    private static string Quoting(Token token) =>
        token.Kind == TokenKind.Number || IsKeywordToken(token) ? $"{token.Describe()} (quote it: \"{token.Text}\")" : token.Describe();

    private sealed class TableEntryParser : Parser<Token, TableEntry>
    {
        public override bool TryParse(ref ParseState<Token> state, ref PooledList<Expected<Token>> expecteds, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out TableEntry result)
        {
            result = default;
            if (!state.HasCurrent || !IsStringToken(state.Current))
            {
                return Fail(ref state, state.Location, $"syntax error: expected a table value, got {QuotingAt(ref state)}");
            }
            var key = state.Current.Text;
            state.Advance(1);
            string? value = null;
            if (state.HasCurrent && (state.Current.IsPunct('=') || state.Current.Kind == TokenKind.Arrow))
            {
                state.Advance(1);
                if (!state.HasCurrent || !IsStringToken(state.Current))
                {
                    return Fail(ref state, state.Location, $"syntax error: expected a value after \"{key} =\", got {QuotingAt(ref state)}");
                }
                value = state.Current.Text;
                state.Advance(1);
            }
            result = new TableEntry(key, value);
            return true;
        }

        private static string QuotingAt(ref ParseState<Token> state) => state.HasCurrent ? Quoting(state.Current) : "end of file";

        private static bool Fail(ref ParseState<Token> state, long at, string message)
        {
            state.SetError(Maybe.Nothing<Token>(), false, at, message);
            return false;
        }
    }

    private sealed class BraceItems<T>(string what, Func<int, Parser<Token, T>> item, Func<List<T>, T, string?>? conflict) : Parser<Token, ValueList<T>>
    {
        public override bool TryParse(ref ParseState<Token> state, ref PooledList<Expected<Token>> expecteds, out ValueList<T> result)
        {
            result = default!;
            var items = new List<T>();
            SkipNewlines(ref state);
            while (true)
            {
                if (IsAt(ref state, '}'))
                {
                    return Fail(ref state, state.Location, $"syntax error: expected {what}, got \"}}\"");
                }
                var start = state.Location;
                if (!item(items.Count).TryParse(ref state, ref expecteds, out var value))
                {
                    return false;
                }
                if (conflict?.Invoke(items, value) is { } message)
                {
                    return Fail(ref state, start, message);
                }
                items.Add(value);
                if (IsAt(ref state, ','))
                {
                    state.Advance(1);
                    SkipNewlines(ref state);
                    if (IsAt(ref state, '}'))
                    {
                        return Fail(ref state, state.Location, $"syntax error: a comma must be followed by {what}, got \"}}\" (remove the trailing comma)");
                    }
                    continue;
                }
                var lineEnded = state.HasCurrent && state.Current.Kind == TokenKind.Newline;
                SkipNewlines(ref state);
                if (IsAt(ref state, '}'))
                {
                    state.Advance(1);
                    result = new ValueList<T>(items);
                    return true;
                }
                // A keyword is never an item: at the start of a line it most likely begins the next statement.
                if (!state.HasCurrent || (lineEnded && IsKeywordToken(state.Current)))
                {
                    var got = state.HasCurrent ? state.Current.Describe() : "end of file";
                    return Fail(ref state, state.Location, $"syntax error: expected {what} or \"}}\", got {got} (is the \"}}\" of the list missing?)");
                }
            }
        }

        private static bool IsAt(ref ParseState<Token> state, char c) => state.HasCurrent && state.Current.IsPunct(c);

        private static void SkipNewlines(ref ParseState<Token> state)
        {
            while (state.HasCurrent && state.Current.Kind == TokenKind.Newline)
            {
                state.Advance(1);
            }
        }

        private static bool Fail(ref ParseState<Token> state, long at, string message)
        {
            state.SetError(Maybe.Nothing<Token>(), false, at, message);
            return false;
        }
    }
}
