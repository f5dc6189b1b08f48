// Hands tokens to the parser across included files and macro expansions, and keeps the macros.
// Behaviour reference: usr.sbin/smtpd/parse.y (pushfile, popfile, symset, symget, cmdline_symset).
namespace Smtpd.Config;

internal sealed class TokenStream
{
    /// <summary>How deep includes may nest; deeper nesting is almost surely a mistake, so it is an error.</summary>
    public const int MaxIncludeDepth = 16;

    private readonly List<Frame> _frames = [];
    private readonly List<ConfigDiagnostic> _errors;
    private readonly Dictionary<string, string> _macros = new(StringComparer.Ordinal);
    private readonly HashSet<string> _fixedMacros = new(StringComparer.Ordinal);

    public TokenStream(string text, string displayName, string? fullPath, IReadOnlyDictionary<string, string> cmdlineMacros, List<ConfigDiagnostic> errors)
    {
        _errors = errors;
        foreach (var (name, value) in cmdlineMacros)
        {
            _macros[name] = value;
            _fixedMacros.Add(name);
        }
        _frames.Add(new Frame(Lexer.Tokenize(text, displayName, errors), fullPath, IsExpansion: false));
    }

    /// <summary>Defines a macro from the file. Command-line definitions win over the file's, so
    /// "-D name=value" can override a setting without editing the file.</summary>
    public void DefineMacro(string name, string value)
    {
        if (!_fixedMacros.Contains(name))
        {
            _macros[name] = value;
        }
    }

    public Token Peek()
    {
        while (true)
        {
            var frame = _frames[^1];
            if (frame.Pos >= frame.Tokens.Count)
            {
                _frames.RemoveAt(_frames.Count - 1);
                continue;
            }
            var token = frame.Tokens[frame.Pos];
            if (token.Kind == TokenKind.Eof && _frames.Count > 1)
            {
                _frames.RemoveAt(_frames.Count - 1);
                continue;
            }
            if (token.Kind == TokenKind.Macro && !frame.IsExpansion)
            {
                frame.Pos++;
                Expand(token);
                continue;
            }
            return token;
        }
    }

    public Token Next()
    {
        var token = Peek();
        if (token.Kind != TokenKind.Eof)
        {
            _frames[^1].Pos++;
        }
        return token;
    }

    /// <summary>Starts reading an included file; the caller has finished the include statement.
    /// Relative names are taken from the directory of the file that includes them.</summary>
    public void PushInclude(string name, Token at)
    {
        var parentPath = CurrentFilePath();
        var baseDir = parentPath is null ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(parentPath) ?? "/";
        var fullPath = Path.GetFullPath(Path.Combine(baseDir, name));
        var depth = _frames.Count(f => !f.IsExpansion);
        if (depth > MaxIncludeDepth)
        {
            Report(at, $"include nesting too deep: more than {MaxIncludeDepth} levels at \"{name}\"");
            return;
        }
        if (_frames.Any(f => !f.IsExpansion && f.FullPath == fullPath))
        {
            Report(at, $"include loop: \"{name}\" is already being read");
            return;
        }
        if (Directory.Exists(fullPath))
        {
            Report(at, $"failed to include file \"{name}\": is a directory");
            return;
        }
        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            Report(at, $"failed to include file \"{name}\": {Reason(e)}");
            return;
        }
        _frames.Add(new Frame(Lexer.Tokenize(text, name, _errors), fullPath, IsExpansion: false));
    }

    private string? CurrentFilePath()
    {
        for (var i = _frames.Count - 1; i >= 0; i--)
        {
            if (!_frames[i].IsExpansion)
            {
                return _frames[i].FullPath;
            }
        }
        return null;
    }

    private void Expand(Token macro)
    {
        if (!_macros.TryGetValue(macro.Text, out var value))
        {
            var message = $"macro \"{macro.Text}\" not defined";
            _errors.Add(new ConfigDiagnostic(macro.File, macro.Line, message));
            _frames.Add(new Frame([new Token(TokenKind.Error, message, macro.File, macro.Line)], null, IsExpansion: true));
            return;
        }
        _frames.Add(new Frame(Lexer.TokenizeExpansion(value, macro.File, macro.Line, _errors), null, IsExpansion: true));
    }

    private void Report(Token at, string message) => _errors.Add(new ConfigDiagnostic(at.File, at.Line, message));

    private static string Reason(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "no such file",
        UnauthorizedAccessException => "permission denied",
        _ => e.Message,
    };

    private sealed class Frame(List<Token> tokens, string? fullPath, bool IsExpansion)
    {
        public List<Token> Tokens { get; } = tokens;

        public string? FullPath { get; } = fullPath;

        public bool IsExpansion { get; } = IsExpansion;

        public int Pos { get; set; }
    }
}
