// The kinds of tokens the configuration lexer produces.
// Behaviour reference: usr.sbin/smtpd/parse.y (yylex).
namespace Smtpd.Config;

internal enum TokenKind
{
    /// <summary>A bare word: a keyword, a name, an address, a delay.</summary>
    Word,

    /// <summary>A quoted string; never a keyword, whatever its text.</summary>
    String,

    Number,

    /// <summary>A single character that is not part of a word: { } &lt; &gt; ! , = and strays.</summary>
    Punct,

    /// <summary>"=>" in maps.</summary>
    Arrow,

    /// <summary>"$name", expanded by <see cref="TokenStream"/> when it is read.</summary>
    Macro,

    Newline,

    /// <summary>A lexical error already reported; the parser skips the rest of the line.</summary>
    Error,

    Eof,
}
