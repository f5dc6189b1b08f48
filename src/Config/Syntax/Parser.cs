// Recursive-descent parser for smtpd.conf: the statement loop, error recovery and shared helpers.
// The productions live in the Parser*.cs partial files, one per kind of statement.
// Behaviour reference: usr.sbin/smtpd/parse.y (grammar, yyerror).
namespace Smtpd.Config;

internal sealed partial class Parser
{
    private readonly TokenStream _stream;
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
        switch (first.Text)
        {
            case "include":
                ParseInclude(first);
                return true;
            case "action": ParseAction(first); break;
            case "admd": ParseAdmd(first); break;
            case "bounce": ParseBounce(first); break;
            case "ca": ParseCa(first); break;
            case "filter": ParseFilter(first); break;
            case "listen": ParseListen(first); break;
            case "match": ParseMatch(first); break;
            case "mda": ParseMda(first); break;
            case "mta": ParseMta(first); break;
            case "pki": ParsePki(first); break;
            case "proc": ParseProc(first); break;
            case "queue": ParseQueue(first); break;
            case "scheduler": ParseScheduler(first); break;
            case "smtp": ParseSmtp(first); break;
            case "srs": ParseSrs(first); break;
            case "table": ParseTable(first); break;
            case "accept": ParseLegacyRule(first, reject: false); break;
            case "reject": ParseLegacyRule(first, reject: true); break;
            case "bounce-warn": ParseLegacyBounceWarn(first); break;
            case "expire": ParseLegacyExpire(first); break;
            case "max-message-size": ParseLegacyMaxMessageSize(first); break;
            case "limit": ParseLegacyLimit(first); break;
            case "max-mta-deferred": ParseLegacyMaxMtaDeferred(first); break;
            case "subaddressing-delimiter": ParseLegacySubaddressingDelimiter(first); break;
            case "ciphers": ParseLegacyCiphers(first); break;
            default:
                Fail(first, $"syntax error: unknown directive {first.Describe()}");
                break;
        }
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

    private Token Peek() => _stream.Peek();

    private Token Next() => _stream.Next();

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

    private static bool IsKeywordToken(Token token) => token.Kind == TokenKind.Word && Keywords.IsKeyword(token.Text);

    private static bool IsKeyword(Token token, string keyword) => token.Kind == TokenKind.Word && token.Text == keyword;

    private bool PeekKeyword(string keyword) => IsKeyword(Peek(), keyword);

    private bool Accept(string keyword)
    {
        if (!PeekKeyword(keyword))
        {
            return false;
        }
        Next();
        return true;
    }

    private Token Expect(string keyword, string after)
    {
        var token = Next();
        if (!IsKeyword(token, keyword))
        {
            Fail(token, $"syntax error: expected \"{keyword}\" after \"{after}\", got {token.Describe()}");
        }
        return token;
    }

    private static bool IsStringToken(Token token) =>
        token.Kind == TokenKind.String || (token.Kind == TokenKind.Word && !Keywords.IsKeyword(token.Text));

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

    private long ExpectNumber(string what, string after)
    {
        var token = Next();
        if (token.Kind != TokenKind.Number)
        {
            Fail(token, $"syntax error: expected {what} after \"{after}\", got {token.Describe()}");
        }
        return token.Number;
    }

    /// <summary>Reads a delay such as "4h" or "30m" and returns seconds.</summary>
    private int ExpectDelay(string what, string after)
    {
        var token = Next();
        if (!IsStringToken(token))
        {
            Fail(token, $"syntax error: expected {what} after \"{after}\", got {token.Describe()}");
        }
        var seconds = Durations.Parse(token.Text);
        if (seconds < 0)
        {
            Fail(token, $"invalid {what}: \"{token.Text}\" (expected a number with a unit s, m, h or d)");
        }
        return seconds;
    }

    private static SourceLocation Where(Token token) => new(token.File, token.Line);

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
    private void Error(Token at, string message) => _errors.Add(new ConfigDiagnostic(at.File, at.Line, message));

    private void Notice(Token at, string message) => _notices.Add(new ConfigDiagnostic(at.File, at.Line, message));
}
