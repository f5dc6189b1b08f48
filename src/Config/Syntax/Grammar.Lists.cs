// Table arguments and brace lists: "<name>", a single value, "{ a, b }" and "{ key = value }".
// Behaviour reference: usr.sbin/smtpd/parse.y (tables, tableref, tablenew, tableval_list, optnl).
using Pidgin;
using P = Pidgin.Parser<Smtpd.Config.Token>;

namespace Smtpd.Config;

internal static partial class Grammar
{
    public static Parser<Token, Token> Arrow => P.Token(t => t.Kind == TokenKind.Arrow);

    /// <summary>True when the token can start a table argument.</summary>
    public static bool IsTableStart(Token token) => token.IsPunct('<') || token.IsPunct('{') || IsStringToken(token);

    /// <summary>tables: "&lt;name&gt;", a single string, or an inline list or map.</summary>
    public static Parser<Token, TableRef> Tables(string after) =>
        (from open in Punct('<')
         from name in Str("a table name", "<")
         from close in ExpectPunct('>', name)
         select TableRef.Named(name))
        .Else(TableValues(after).Select(TableRef.Of))
        .Else(Str("a table (\"<name>\", a value or \"{ ... }\")", after).Select(TableRef.Single));

    /// <summary>A table argument when one follows, as "from rdns" or "auth" allow.</summary>
    public static Parser<Token, TableRef?> OptionalTables(string after) =>
        ByToken(t => IsTableStart(t) ? Tables(after).Select(r => (TableRef?)r) : P.Return<TableRef?>(null));

    // '{' optnl (string | key (= | =>) value) (comma ...)* optnl '}', all values strings.
    public static Parser<Token, ValueList<TableEntry>> TableValues(string after) =>
        BraceList(after, "a table value", _ => TableEntry, (previous, entry) =>
            previous.Count > 0 && (previous[0].Value is null) != (entry.Value is null) ? "cannot mix list values and key = value pairs in one table" : null);

    private static Parser<Token, TableEntry> TableEntry =>
        from key in StringToken.Else(Unexpected<Token>(t => $"syntax error: expected a table value, got {Quoting(t)}"))
        from value in Punct('=').Else(Arrow)
            .Then(StringToken.Else(Unexpected<Token>(v => $"syntax error: expected a value after \"{key.Text} =\", got {Quoting(v)}")))
            .Optional()
        select new TableEntry(key.Text, value.HasValue ? value.Value.Text : null);

    // '{' optnl name (comma name)* '}'
    public static Parser<Token, ValueList<string>> FilterNames(string after) =>
        BraceList(after, "a filter name", i => Str("a filter name", i == 0 ? "{" : after), null);

    public static Parser<Token, Token> ExpectPunct(char c, string after) =>
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
