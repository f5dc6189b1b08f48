// The building blocks of the smtpd.conf grammar: Pidgin parsers over our own tokens that fail
// with smtpd's messages ("syntax error: expected X after "Y", got Z") at the token that is wrong.
// The productions (Grammar.*.cs) are written with these, one per statement of smtpd.conf(5).
// Behaviour reference: usr.sbin/smtpd/parse.y (yyerror; the token classes STRING and NUMBER).
using Pidgin;
using P = Pidgin.Parser<Smtpd.Config.Token>;

namespace Smtpd.Config;

/// <summary>
/// A statement's production reads its tokens (the lexer has already expanded macros and joined
/// continued lines) and returns what the statement adds to the configuration; nothing is added
/// until the whole statement has parsed. The first failing token stops the statement, as parse.y's
/// "error '\n'" rule does, and the statement loop goes on at the next line.
/// </summary>
internal static partial class Grammar
{
    /// <summary>A keyword: a bare word with exactly this text (a quoted string never is one).</summary>
    public static Parser<Token, Token> Kw(string keyword) =>
        Memo(("kw", keyword, null), static k => KwOf(k.A!));

    private static Parser<Token, Token> KwOf(string keyword) => P.Token(t => t.Kind == TokenKind.Word && t.Text == keyword);

    public static Parser<Token, Token> Punct(char c) => Memo(("punct", PunctText(c), null), static k => PunctOf(k.A![0]));

    private static Parser<Token, Token> PunctOf(char c) => P.Token(t => t.IsPunct(c));

    // The punctuation the grammar names, without a string made for each use.
    private static string PunctText(char c) => c switch
    {
        '<' => "<",
        '>' => ">",
        '{' => "{",
        '}' => "}",
        '!' => "!",
        ',' => ",",
        '=' => "=",
        '/' => "/",
        '-' => "-",
        _ => c.ToString(),
    };

    /// <summary>parse.y's STRING: a quoted string, or a bare word that is not a keyword.</summary>
    public static Parser<Token, Token> StringToken => Memo(("string", null, null), static _ => P.Token(IsStringToken));

    public static Parser<Token, Token> NumberToken => Memo(("number", null, null), static _ => P.Token(t => t.Kind == TokenKind.Number));

    /// <summary>The token where the parser stands, without reading it.</summary>
    public static Parser<Token, Token> Current => Memo(("current", null, null), static _ => Pidgin.Parser.Lookahead(P.Any));

    // Parsers are immutable and a statement's production picks its parts by the words it reads:
    // each part is built once (per distinct words in its messages) and reused, so reading a
    // statement allocates little beyond its result.
    // (Created on first use: the productions, static fields of the other partial files, may be
    // initialized before a field of this file.)
    private static System.Collections.Concurrent.ConcurrentDictionary<(string Kind, string? A, string? B), object>? _parts;

    public static Parser<Token, T> Memo<T>((string Kind, string? A, string? B) key, Func<(string Kind, string? A, string? B), Parser<Token, T>> build) =>
        (Parser<Token, T>)LazyInitializer.EnsureInitialized(ref _parts).GetOrAdd(key, static (k, b) => b(k), build);

    /// <summary>
    /// The first parser, or the second when the first fails without reading anything; unlike
    /// Pidgin's Or, a failure of both reports the second's error, so a production's last
    /// alternative (its "expected ..." message) is the one the user sees.
    /// </summary>
    public static Parser<Token, T> Else<T>(this Parser<Token, T> first, Parser<Token, T> second) => new ElseParser<T>(first, second);

    /// <summary>Fails at the current token (without reading it) with the message made from it.</summary>
    public static Parser<Token, T> Unexpected<T>(Func<Token, string> message) => new FailHere<T>(message);

    /// <summary>Fails at the token where <paramref name="at"/> started, with this message.</summary>
    public static Parser<Token, T> FailAt<T>(long at, string message) => new FailAtOffset<T>(at, message);

    /// <summary>Where the parser stands, to report a later error at this token.</summary>
    public static Parser<Token, long> Offset => Memo(("offset", null, null), static _ => P.CurrentOffsetLong);

    /// <summary>Runs <paramref name="parser"/>, then fails at the token it started on when the check finds fault.</summary>
    public static Parser<Token, T> Check<T>(this Parser<Token, T> parser, Func<T, string?> check) => new CheckParser<T>(parser, check);

    /// <summary>"keyword" after "previous word", or the error naming both.</summary>
    public static Parser<Token, Token> Expect(string keyword, string after) => Memo(("expect", keyword, after), static k => ExpectOf(k.A!, k.B!));

    /// <summary><see cref="Expect"/> for words the file chose (a name): built each time, never kept.</summary>
    public static Parser<Token, Token> ExpectOf(string keyword, string after) =>
        Kw(keyword).Else(Unexpected<Token>(t => $"syntax error: expected \"{keyword}\" after \"{after}\", got {t.Describe()}"));

    /// <summary>A string, or the error saying what was expected and how to quote what was found.</summary>
    public static Parser<Token, string> Str(string what, string after) => Memo(("str", what, after), static k => StrOf(k.A!, k.B!));

    /// <summary><see cref="Str"/> for words the file chose (a name): built each time, never kept.</summary>
    public static Parser<Token, string> StrOf(string what, string after) =>
        StringToken.Select(t => t.Text).Else(Unexpected<string>(t => $"syntax error: expected {what} after \"{after}\", got {DescribeNonString(t)}"));

    public static Parser<Token, long> Num(string what, string after) => Memo(("num", what, after), static k => NumOf(k.A!, k.B!));

    private static Parser<Token, long> NumOf(string what, string after) =>
        NumberToken.Select(t => t.Number).Else(Unexpected<long>(t => $"syntax error: expected {what} after \"{after}\", got {t.Describe()}"));

    /// <summary>A delay such as "4h" or "30m", in seconds.</summary>
    public static Parser<Token, int> Delay(string what, string after) => DelayToken(what, after).Select(d => d.Seconds);

    public static Parser<Token, (Token Token, int Seconds)> DelayToken(string what, string after) => Memo(("delay", what, after), static k => DelayTokenOf(k.A!, k.B!));

    private static Parser<Token, (Token Token, int Seconds)> DelayTokenOf(string what, string after) =>
        StringToken.Else(Unexpected<Token>(t => $"syntax error: expected {what} after \"{after}\", got {t.Describe()}"))
            .Select(t => (Token: t, Seconds: Durations.Parse(t.Text)))
            .Check(d => d.Seconds < 0 ? $"invalid {what}: \"{d.Token.Text}\" (expected a number with a unit s, m, h or d)" : null);

    /// <summary>The end of the statement: the end of the line (or of the file), not read.</summary>
    public static Parser<Token, Unit> EndOfStatement => Memo(("end", null, null), static _ =>
        Pidgin.Parser.Lookahead(P.Token(t => t.IsEnd)).IgnoreResult()
            .Else(Unexpected<Unit>(t => $"syntax error: expected end of line, got {t.Describe()}")));

    /// <summary>Options up to the end of the statement, each step reading one into the value so far.
    /// Unlike Many, an option that fails is an error of the statement, not the end of the list.</summary>
    public static Parser<Token, T> Options<T>(T seed, Func<T, Parser<Token, T>> option, Func<Token, bool>? stop = null) =>
        new OptionsParser<T>(seed, option, stop);

    /// <summary>Items up to the end of the statement (or a stop word), each added to the value so far
    /// by <paramref name="add"/>, which may refuse it: the error is then reported at the item.</summary>
    public static Parser<Token, TAcc> Fold<TItem, TAcc>(Parser<Token, TItem> item, TAcc seed, Func<TAcc, TItem, (TAcc, string?)> add, Func<Token, bool>? stop = null) =>
        new FoldParser<TItem, TAcc>(item, seed, add, stop);

    /// <summary>Picks the parser by the current word, one of <paramref name="words"/> or "" for any
    /// other token; each choice is built once.</summary>
    public static Parser<Token, T> ByWord<T>(string kind, Func<string, Parser<Token, T>> arm, bool variant, params string[] words) =>
        ByToken(t =>
        {
            var word = Array.IndexOf(words, WordOf(t)) >= 0 ? WordOf(t) : string.Empty;
            return Memo((kind, word, variant ? "!" : null), k => arm(k.A!));
        });

    /// <summary>Picks the parser by the current token, without reading it.</summary>
    public static Parser<Token, T> ByToken<T>(Func<Token, Parser<Token, T>> choose) => Current.Bind(choose);

    /// <summary>The word at the current token, or "" for anything that is not a bare word.</summary>
    public static string WordOf(Token t) => t.Kind == TokenKind.Word ? t.Text : string.Empty;

    public static bool IsKeywordToken(Token token) => token.Kind == TokenKind.Word && Keywords.IsKeyword(token.Text);

    public static bool IsStringToken(Token token) =>
        token.Kind == TokenKind.String || (token.Kind == TokenKind.Word && !Keywords.IsKeyword(token.Text));

    private static string DescribeNonString(Token token) =>
        IsKeywordToken(token) ? $"keyword \"{token.Text}\" (quote it to use it as a string)"
        : token.Kind == TokenKind.Number ? $"number {token.Text} (quote it to use it as a string)"
        : token.IsPunct('/') ? "an unquoted path (quote it: \"/...\")"
        : token.Describe();

    private sealed class FailHere<T>(Func<Token, string> message) : Parser<Token, T>
    {
        public override bool TryParse(ref ParseState<Token> state, ref PooledList<Expected<Token>> expecteds, out T result)
        {
            var token = state.HasCurrent ? state.Current : new Token(TokenKind.Eof, string.Empty, string.Empty, 0);
            state.SetError(state.HasCurrent ? Maybe.Just(token) : Maybe.Nothing<Token>(), !state.HasCurrent, state.Location, message(token));
            result = default!;
            return false;
        }
    }

    private sealed class ElseParser<T>(Parser<Token, T> first, Parser<Token, T> second) : Parser<Token, T>
    {
        public override bool TryParse(ref ParseState<Token> state, ref PooledList<Expected<Token>> expecteds, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out T result)
        {
            var start = state.Location;
            if (first.TryParse(ref state, ref expecteds, out result))
            {
                return true;
            }
            return state.Location == start && second.TryParse(ref state, ref expecteds, out result);
        }
    }

    private sealed class CheckParser<T>(Parser<Token, T> parser, Func<T, string?> check) : Parser<Token, T>
    {
        public override bool TryParse(ref ParseState<Token> state, ref PooledList<Expected<Token>> expecteds, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out T result)
        {
            var start = state.Location;
            if (!parser.TryParse(ref state, ref expecteds, out result))
            {
                return false;
            }
            if (check(result) is { } message)
            {
                state.SetError(Maybe.Nothing<Token>(), false, start, message);
                result = default;
                return false;
            }
            return true;
        }
    }

    private sealed class FailAtOffset<T>(long at, string message) : Parser<Token, T>
    {
        public override bool TryParse(ref ParseState<Token> state, ref PooledList<Expected<Token>> expecteds, out T result)
        {
            state.SetError(Maybe.Nothing<Token>(), false, at, message);
            result = default!;
            return false;
        }
    }

    private sealed class FoldParser<TItem, TAcc>(Parser<Token, TItem> item, TAcc seed, Func<TAcc, TItem, (TAcc, string?)> add, Func<Token, bool>? stop) : Parser<Token, TAcc>
    {
        public override bool TryParse(ref ParseState<Token> state, ref PooledList<Expected<Token>> expecteds, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out TAcc result)
        {
            var value = seed;
            while (state.HasCurrent && !state.Current.IsEnd && !(stop?.Invoke(state.Current) ?? false))
            {
                var start = state.Location;
                if (!item.TryParse(ref state, ref expecteds, out var one))
                {
                    result = default;
                    return false;
                }
                (value, var error) = add(value, one);
                if (error is not null)
                {
                    state.SetError(Maybe.Nothing<Token>(), false, start, error);
                    result = default;
                    return false;
                }
                if (state.Location == start)
                {
                    break;
                }
            }
            result = value;
            return true;
        }
    }

    private sealed class OptionsParser<T>(T seed, Func<T, Parser<Token, T>> option, Func<Token, bool>? stop) : Parser<Token, T>
    {
        public override bool TryParse(ref ParseState<Token> state, ref PooledList<Expected<Token>> expecteds, out T result)
        {
            var value = seed;
            while (state.HasCurrent && !state.Current.IsEnd && !(stop?.Invoke(state.Current) ?? false))
            {
                var before = state.Location;
                if (!option(value).TryParse(ref state, ref expecteds, out value!))
                {
                    result = default!;
                    return false;
                }
                if (state.Location == before)
                {
                    break;
                }
            }
            result = value;
            return true;
        }
    }
}
