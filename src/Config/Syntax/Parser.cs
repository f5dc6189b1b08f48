// The statement loop of smtpd.conf: reads one statement at a time (macros, continuations and
// includes are the lexer's and TokenStream's), runs its grammar production (Grammar*.cs), and on
// an error reports it and goes on at the next line. Macro definitions and include are read here.
// Behaviour reference: usr.sbin/smtpd/parse.y (grammar, yyerror).
namespace Smtpd.Config;

internal sealed partial class Parser
{
    private readonly TokenStream _stream;
    // Tokens read ahead for a statement that failed, given back to be read again after the line it failed on.
    private readonly List<Token> _pushback = [];
    private readonly List<ConfigDiagnostic> _errors;
    private readonly List<ConfigDiagnostic> _notices;

    private readonly List<TableDef> _tables = [];
    private readonly List<PkiDef> _pkis = [];
    private readonly List<CaDef> _cas = [];
    private readonly List<ProcDef> _procs = [];
    private readonly List<FilterDef> _filters = [];
    private readonly List<ListenerDef> _listeners = [];
    private readonly List<ActionDef> _actions = [];
    private readonly List<MatchRule> _rules = [];
    private readonly List<MdaWrapperDef> _wrappers = [];
    private readonly List<LimitSetting> _mdaLimits = [];
    private readonly List<MtaLimitDef> _mtaLimits = [];
    private readonly List<LimitSetting> _schedulerLimits = [];
    private readonly List<LimitSetting> _smtpLimits = [];
    private readonly HashSet<string> _brokenActions = new(StringComparer.Ordinal);
    private readonly HashSet<string> _brokenTables = new(StringComparer.Ordinal);
    private SmtpdConfig _globals = new();

    /// <summary>Names of actions whose statements had syntax errors.</summary>
    public IReadOnlySet<string> BrokenActions => _brokenActions;

    /// <summary>Names of tables whose statements had syntax errors.</summary>
    public IReadOnlySet<string> BrokenTables => _brokenTables;

    public Parser(TokenStream stream, List<ConfigDiagnostic> errors, List<ConfigDiagnostic> notices)
    {
        _stream = stream;
        _errors = errors;
        _notices = notices;
    }

    /// <summary>Parses every statement, recovering at the next line after each error.</summary>
    public SmtpdConfig ParseAll()
    {
        while (true)
        {
            var token = Peek();
            if (token.Kind == TokenKind.Eof)
            {
                break;
            }
            if (token.Kind == TokenKind.Newline)
            {
                Next();
                continue;
            }
            if (token.Kind == TokenKind.Word && Grammar.Statements.TryGetValue(token.Text, out var production))
            {
                var tokens = ReadStatement();
                // "word = value" is a macro definition even when the word starts a statement elsewhere.
                if (!(tokens.Length > 1 && tokens[1].IsPunct('=') && !IsKeywordToken(tokens[0])))
                {
                    RunProduction(production, tokens);
                    continue;
                }
                _pushback.InsertRange(0, tokens.Where(t => t.Kind != TokenKind.Eof));
            }
            try
            {
                if (!ParseStatement())
                {
                    ExpectEndOfStatement();
                }
            }
            catch (ParseAbort)
            {
                SkipRestOfLine();
            }
        }
        return Build();
    }

    private SmtpdConfig Build() => _globals with
    {
        Tables = new ValueList<TableDef>(_tables),
        Pkis = new ValueList<PkiDef>(_pkis),
        Cas = new ValueList<CaDef>(_cas),
        Procs = new ValueList<ProcDef>(_procs),
        Filters = new ValueList<FilterDef>(_filters),
        Listeners = new ValueList<ListenerDef>(_listeners),
        Actions = new ValueList<ActionDef>(_actions),
        Rules = new ValueList<MatchRule>(_rules),
        MdaWrappers = new ValueList<MdaWrapperDef>(_wrappers),
        MdaLimits = new ValueList<LimitSetting>(_mdaLimits),
        MtaLimits = new ValueList<MtaLimitDef>(_mtaLimits),
        SchedulerLimits = new ValueList<LimitSetting>(_schedulerLimits),
        SmtpLimits = new ValueList<LimitSetting>(_smtpLimits),
    };

    /// <summary>Dispatches on the first word. Returns true when the statement consumed its own end of line.</summary>
    private bool ParseStatement()
    {
        var first = Next();
        if (first.Kind is TokenKind.String or TokenKind.Word && Peek().IsPunct('=') && !IsKeywordToken(first))
        {
            ParseMacroDefinition(first);
            return false;
        }
        if (first.Kind != TokenKind.Word)
        {
            Fail(first, $"syntax error: expected a directive, got {first.Describe()}");
        }
        if (first.Text == "include")
        {
            ParseInclude(first);
            return true;
        }
        Fail(first, $"syntax error: unknown directive {first.Describe()}");
        return false;
    }

    // name = "value"
    private void ParseMacroDefinition(Token name)
    {
        Next();
        var value = Next();
        // The value is a string, as in parse.y's varset: a bare number or keyword is refused
        // (quote it: x = "25"); it becomes a number again where the macro is used.
        if (!IsStringToken(value))
        {
            var hint = value.Kind == TokenKind.Number || IsKeywordToken(value) ? $" (quote it: {name.Text} = \"{value.Text}\")" : string.Empty;
            Fail(value, $"syntax error: expected a string after \"{name.Text} =\", got {value.Describe()}{hint}");
        }
        if (name.Text.Length == 0 || name.Text.Any(char.IsWhiteSpace))
        {
            Fail(name, "macro name cannot contain whitespace");
        }
        _stream.DefineMacro(name.Text, value.Text);
    }

    // include "file"
    private void ParseInclude(Token keyword)
    {
        var name = ExpectString("a file name", keyword.Text);
        ExpectEndOfStatement();
        _stream.PushInclude(name, keyword);
    }

    private Token Peek() => _pushback.Count > 0 ? _pushback[0] : _stream.Peek();

    private Token Next()
    {
        if (_pushback.Count == 0)
        {
            return _stream.Next();
        }
        var token = _pushback[0];
        _pushback.RemoveAt(0);
        return token;
    }

    /// <summary>
    /// The tokens of one statement, up to its end of line, which is included (or the end of file).
    /// A brace list may span lines; a keyword at the start of a line inside one most likely begins
    /// the next statement (its "}" is missing), so it ends the statement there, to be reported.
    /// </summary>
    private Token[] ReadStatement()
    {
        var tokens = new List<Token>();
        var depth = 0;
        while (true)
        {
            var token = Next();
            tokens.Add(token);
            if (token.Kind == TokenKind.Eof || (token.Kind == TokenKind.Newline && depth == 0))
            {
                return [.. tokens];
            }
            if (token.IsPunct('{'))
            {
                depth++;
            }
            else if (token.IsPunct('}') && depth > 0)
            {
                depth--;
            }
            else if (token.Kind == TokenKind.Newline && IsKeywordToken(Peek()))
            {
                tokens.Add(Next());
                return [.. tokens];
            }
        }
    }

    /// <summary>Parses one statement with its grammar production; on an error, reports it and
    /// goes on after the end of the line where it is, as parse.y's "error '\n'" rule does.</summary>
    private void RunProduction(Pidgin.Parser<Token, Action<Parser>> production, Token[] tokens)
    {
        var result = Pidgin.ParserExtensions.Parse(production, tokens);
        if (result.Success)
        {
            result.Value(this);
            return;
        }
        var offset = (int)Math.Clamp(result.Error!.ErrorOffsetLong, 0, tokens.Length - 1);
        var at = tokens[offset];
        if (at.Kind != TokenKind.Error)
        {
            _errors.Add(new ConfigDiagnostic(at.File, at.Line, result.Error.Message ?? $"syntax error: unexpected {at.Describe()}"));
        }
        MarkBroken(tokens);
        for (var i = offset; i < tokens.Length; i++)
        {
            if (tokens[i].IsEnd)
            {
                _pushback.InsertRange(0, tokens.Skip(i + 1).Where(t => t.Kind != TokenKind.Eof));
                return;
            }
        }
        SkipRestOfLine();
    }

    // The checker then knows that the name was meant to exist and says nothing more about its uses.
    private void MarkBroken(Token[] tokens)
    {
        if (tokens.Length < 2)
        {
            return;
        }
        var name = tokens[1].IsPunct('<') && tokens.Length > 2 ? tokens[2] : tokens[1];
        if (!IsStringToken(name))
        {
            return;
        }
        if (IsKeyword(tokens[0], "table"))
        {
            _brokenTables.Add(name.Text);
        }
        else if (IsKeyword(tokens[0], "action") && name == tokens[1])
        {
            _brokenActions.Add(name.Text);
        }
    }

    private void ExpectEndOfStatement()
    {
        var token = Peek();
        if (token.Kind == TokenKind.Eof)
        {
            return;
        }
        if (token.Kind != TokenKind.Newline)
        {
            Fail(token, $"syntax error: expected end of line, got {token.Describe()}");
        }
        Next();
    }

    private void SkipRestOfLine()
    {
        while (true)
        {
            var token = Next();
            if (token.Kind is TokenKind.Newline or TokenKind.Eof)
            {
                return;
            }
        }
    }

    private static bool IsKeywordToken(Token token) => Grammar.IsKeywordToken(token);

    private static bool IsKeyword(Token token, string keyword) => token.Kind == TokenKind.Word && token.Text == keyword;

    private static bool IsStringToken(Token token) => Grammar.IsStringToken(token);

    /// <summary>Reads a string: a quoted string, or a bare word that is not a keyword.</summary>
    private string ExpectString(string what, string after)
    {
        var token = Next();
        if (!IsStringToken(token))
        {
            var got = IsKeywordToken(token) ? $"keyword \"{token.Text}\" (quote it to use it as a string)"
                : token.Kind == TokenKind.Number ? $"number {token.Text} (quote it to use it as a string)"
                : token.IsPunct('/') ? "an unquoted path (quote it: \"/...\")"
                : token.Describe();
            Fail(token, $"syntax error: expected {what} after \"{after}\", got {got}");
        }
        return token.Text;
    }

    internal static SourceLocation Where(Token token) => new(token.File, token.Line);

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void Fail(Token at, string message)
    {
        // An error token was reported by the lexer or the macro expander already.
        if (at.Kind != TokenKind.Error)
        {
            _errors.Add(new ConfigDiagnostic(at.File, at.Line, message));
        }
        throw new ParseAbort(message);
    }

    /// <summary>Records an error that leaves the statement readable, so parsing goes on.</summary>
    internal void Error(Token at, string message) => _errors.Add(new ConfigDiagnostic(at.File, at.Line, message));

    internal void Notice(Token at, string message) => _notices.Add(new ConfigDiagnostic(at.File, at.Line, message));
}
