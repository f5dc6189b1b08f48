// Turns the text of one configuration file into tokens, with the quoting, escaping, comment,
// continuation and number rules of OpenSMTPD's lexer.
// Behaviour reference: usr.sbin/smtpd/parse.y (yylex, lgetc, findeol).
using System.Globalization;
using System.Text;

namespace Smtpd.Config;

internal sealed class Lexer
{
    // parse.y reads into an 8096-byte buffer; longer words and strings are refused, not truncated.
    private const int MaxTokenLength = 8094;

    private readonly string _text;
    private readonly string _file;
    private readonly List<ConfigDiagnostic> _errors;
    private readonly bool _macros;
    private readonly List<Token> _tokens = [];
    private int _pos;
    private int _line;

    private Lexer(string text, string file, int firstLine, List<ConfigDiagnostic> errors, bool macros)
    {
        _text = text;
        _file = file;
        _line = firstLine;
        _errors = errors;
        _macros = macros;
    }

    /// <summary>Tokenizes a whole file. The list always ends with a newline and an end-of-file token,
    /// so a last line without a newline still ends its statement (parse.y fakes one too).</summary>
    public static List<Token> Tokenize(string text, string file, List<ConfigDiagnostic> errors)
    {
        var lexer = new Lexer(text, file, 1, errors, macros: true);
        lexer.Run(addEof: true);
        return lexer._tokens;
    }

    /// <summary>Tokenizes a macro's value at the line where it is used. Values are not expanded again.</summary>
    public static List<Token> TokenizeExpansion(string value, string file, int line, List<ConfigDiagnostic> errors)
    {
        // A value never ends a statement: newlines inside it would count lines twice, so fold them.
        var lexer = new Lexer(value.Replace('\n', ' '), file, line, errors, macros: false);
        lexer.Run(addEof: false);
        return lexer._tokens;
    }

    private void Run(bool addEof)
    {
        while (_pos < _text.Length)
        {
            LexOne();
        }
        if (addEof)
        {
            if (_tokens.Count == 0 || _tokens[^1].Kind != TokenKind.Newline)
            {
                _tokens.Add(new Token(TokenKind.Newline, "\n", _file, _line));
            }
            _tokens.Add(new Token(TokenKind.Eof, string.Empty, _file, _line));
        }
    }

    // Reads one character outside quotes. A backslash joins the next line, or stands for the
    // character after it (parse.y's lgetc drops the backslash in both cases).
    private int Get()
    {
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (c != '\\' || _pos + 1 >= _text.Length)
            {
                _pos++;
                return c;
            }
            var next = _text[_pos + 1];
            _pos += 2;
            // Only a backslash right before the newline joins lines: with CRLF line ends the
            // carriage return is the escaped character, and that is an error as anywhere else.
            if (next != '\n')
            {
                return next;
            }
            _line++;
        }
        return -1;
    }

    private void LexOne()
    {
        var start = _pos;
        var c = Get();
        // Only blanks and tabs separate words; any other control character is an error.
        if (c == ' ' || c == '\t' || c == -1)
        {
            return;
        }
        var line = _line;
        switch (c)
        {
            case '#':
                // The comment is read like any other text, so a backslash at its end joins the
                // next line to it: that line is part of the comment and never parsed.
                while (_pos < _text.Length && _text[_pos] != '\n')
                {
                    Get();
                }
                return;
            case '\r':
                Fail(line, "syntax error: carriage return in the file (CRLF line ends are not allowed; convert the file to LF)");
                return;
            case '\n':
                _tokens.Add(new Token(TokenKind.Newline, "\n", _file, line));
                _line++;
                return;
            case '"' or '\'':
                LexQuoted((char)c, line);
                return;
            case '$' when _macros:
                LexMacro(line);
                return;
            case '=':
                if (_pos < _text.Length && _text[_pos] == '>')
                {
                    _pos++;
                    _tokens.Add(new Token(TokenKind.Arrow, "=>", _file, line));
                    return;
                }
                break;
            default:
                break;
        }
        if ((c == '-' || IsDigit(c)) && TryLexNumber(start, line))
        {
            return;
        }
        if (c == '-')
        {
            _tokens.Add(new Token(TokenKind.Punct, "-", _file, line));
            return;
        }
        if (IsAlnum(c) || c == ':' || c == '_')
        {
            LexWord((char)c, line);
            return;
        }
        _tokens.Add(new Token(TokenKind.Punct, ((char)c).ToString(), _file, line));
    }

    private void LexWord(char first, int line)
    {
        var sb = new StringBuilder().Append(first);
        while (true)
        {
            var save = _pos;
            var saveLine = _line;
            var c = Get();
            if (c == -1 || !AllowedInWord(c))
            {
                _pos = save;
                _line = saveLine;
                break;
            }
            sb.Append((char)c);
        }
        if (sb.Length > MaxTokenLength)
        {
            Fail(line, "string too long");
            return;
        }
        _tokens.Add(new Token(TokenKind.Word, sb.ToString(), _file, line));
    }

    // Digits (with an optional leading minus) followed by a separator make a number; anything else,
    // like "10m" or "192.168.0.1", is re-read as a word.
    private bool TryLexNumber(int start, int line)
    {
        var save = _pos;
        var saveLine = _line;
        var sb = new StringBuilder().Append(_text[start] == '\\' ? _text[start + 1] : _text[start]);
        int c;
        var before = _pos;
        var beforeLine = _line;
        while ((c = Get()) != -1 && IsDigit(c))
        {
            sb.Append((char)c);
            before = _pos;
            beforeLine = _line;
        }
        _pos = before;
        _line = beforeLine;
        var digits = sb.ToString();
        if (digits == "-" || !(c == -1 || char.IsWhiteSpace((char)c) || c is ')' or ',' or '/' or '}' or '='))
        {
            _pos = save;
            _line = saveLine;
            return false;
        }
        if (!long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            Fail(line, $"\"{digits}\" invalid number: {(digits[0] == '-' ? "too small" : "too large")}");
            return true;
        }
        _tokens.Add(new Token(TokenKind.Number, digits, _file, line, value));
        return true;
    }

    private void LexQuoted(char quote, int line)
    {
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length)
            {
                Fail(line, "reached end of file while parsing quoted string");
                return;
            }
            var c = _text[_pos++];
            if (c == '\n')
            {
                // A quoted string may span lines; the newline itself is dropped, as in parse.y.
                _line++;
                continue;
            }
            if (c == '\\' && _pos < _text.Length)
            {
                var next = _text[_pos];
                if (next == quote || next == ' ' || next == '\t')
                {
                    _pos++;
                    c = next;
                }
                else if (next == '\n')
                {
                    _pos++;
                    _line++;
                    continue;
                }
            }
            else if (c == quote)
            {
                break;
            }
            else if (c == '\0')
            {
                Fail(line, "syntax error: NUL character in quoted string");
                return;
            }
            sb.Append(c);
        }
        if (sb.Length > MaxTokenLength)
        {
            Fail(line, "string too long");
            return;
        }
        _tokens.Add(new Token(TokenKind.String, sb.ToString(), _file, line));
    }

    private void LexMacro(int line)
    {
        var sb = new StringBuilder();
        while (_pos < _text.Length && (IsAlnum(_text[_pos]) || _text[_pos] == '_'))
        {
            sb.Append(_text[_pos++]);
        }
        _tokens.Add(new Token(TokenKind.Macro, sb.ToString(), _file, line));
    }

    // Records the error and skips to the end of the line, which stays in the stream so the
    // parser resumes at the next statement.
    private void Fail(int line, string message)
    {
        _errors.Add(new ConfigDiagnostic(_file, line, message));
        _tokens.Add(new Token(TokenKind.Error, message, _file, line));
        while (_pos < _text.Length && _text[_pos] != '\n')
        {
            _pos++;
        }
    }

    private static bool IsDigit(int c) => c is >= '0' and <= '9';

    private static bool IsAlnum(int c) => c is (>= '0' and <= '9') or (>= 'a' and <= 'z') or (>= 'A' and <= 'Z');

    // Letters, digits and punctuation, except the characters that have a meaning of their own.
    private static bool AllowedInWord(int c) =>
        IsAlnum(c) || (c is > ' ' and < 127 && c is not ('(' or ')' or '{' or '}' or '<' or '>' or '!' or '=' or '#' or ','));
}
