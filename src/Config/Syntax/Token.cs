// One token with the file and line it was read from.
// Behaviour reference: usr.sbin/smtpd/parse.y (yylval.lineno).
namespace Smtpd.Config;

internal sealed record Token(TokenKind Kind, string Text, string File, int Line, long Number = 0)
{
    public bool IsPunct(char c) => Kind == TokenKind.Punct && Text.Length == 1 && Text[0] == c;

    public bool IsEnd => Kind is TokenKind.Newline or TokenKind.Eof;

    /// <summary>How the token is shown in "expected X, got Y" messages.</summary>
    public string Describe() => Kind switch
    {
        TokenKind.Newline => "end of line",
        TokenKind.Eof => "end of file",
        TokenKind.Number => Text,
        TokenKind.String => "\"" + Text + "\"",
        _ => "\"" + Text + "\"",
    };
}
