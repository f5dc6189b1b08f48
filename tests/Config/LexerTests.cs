// The lexer's quoting, escaping, continuation, comment and number rules.
namespace Smtpd.Tests.Config;

using Smtpd.Config;

public sealed class LexerTests
{
    private static List<Token> Lex(string text)
    {
        var errors = new List<ConfigDiagnostic>();
        var tokens = Lexer.Tokenize(text, "t.conf", errors);
        Assert.Empty(errors);
        return tokens;
    }

    private static string Shape(string text) =>
        string.Join(' ', Lex(text).Select(t => t.Kind switch
        {
            TokenKind.Newline => "NL",
            TokenKind.Eof => "EOF",
            TokenKind.String => "S(" + t.Text + ")",
            TokenKind.Number => "N(" + t.Text + ")",
            TokenKind.Macro => "$(" + t.Text + ")",
            _ => t.Text,
        }));

    [Theory]
    [InlineData("listen on lo", "listen on lo NL EOF")]
    [InlineData("port 25", "port N(25) NL EOF")]
    [InlineData("ttl 4d", "ttl 4d NL EOF")]
    [InlineData("listen on 192.168.0.1", "listen on 192.168.0.1 NL EOF")]
    [InlineData("{ a, b }", "{ a , b } NL EOF")]
    [InlineData("{ k = v, x => y }", "{ k = v , x => y } NL EOF")]
    [InlineData("<aliases>", "< aliases > NL EOF")]
    [InlineData("!from any", "! from any NL EOF")]
    [InlineData("a # comment", "a NL EOF")]
    [InlineData("a \\\n b", "a b NL EOF")]
    [InlineData("\"quoted \\\"inner\\\" text\"", "S(quoted \"inner\" text) NL EOF")]
    [InlineData("'single'", "S(single) NL EOF")]
    [InlineData("\"keep \\d backslash\"", "S(keep \\d backslash) NL EOF")]
    [InlineData("\"spans\nlines\"", "S(spanslines) NL EOF")]
    [InlineData("$name x", "$(name) x NL EOF")]
    [InlineData("-5", "N(-5) NL EOF")]
    [InlineData("- x", "- x NL EOF")]
    [InlineData("10/8", "N(10) / N(8) NL EOF")]
    [InlineData("2001:db8::1", "2001:db8::1 NL EOF")]
    [InlineData("a # comment \\\nb\nc", "a NL c NL EOF")]
    [InlineData("# comment \\\\\nb", "NL b NL EOF")]
    [InlineData("\"carriage\rreturn\"", "S(carriage\rreturn) NL EOF")]
    public void TokenizesLikeOpenSmtpd(string text, string expected) => Assert.Equal(expected, Shape(text));

    // parse.y skips only blanks and tabs: a carriage return is a stray character, so every line
    // of a file with CRLF line ends is refused (comment lines aside), continued or not.
    [Theory]
    [InlineData("a\r\nb", 1)]
    [InlineData("a \\\r\nb", 1)]
    [InlineData("a\r\n# comment\r\nb\r\n", 2)]
    public void CarriageReturnsAreErrors(string text, int errorCount)
    {
        var errors = new List<ConfigDiagnostic>();
        Lexer.Tokenize(text, "t.conf", errors);
        Assert.Equal(errorCount, errors.Count);
        Assert.All(errors, e => Assert.StartsWith("syntax error: carriage return", e.Message, StringComparison.Ordinal));
        Assert.Equal(1, errors[0].Line);
    }

    [Fact]
    public void ACommentEndingInABackslashSwallowsTheNextLineAndCountsIt()
    {
        var tokens = Lex("# comment \\\nswallowed line\nc");
        Assert.DoesNotContain(tokens, t => t.Text == "swallowed");
        Assert.Equal(3, tokens.First(t => t.Text == "c").Line);
    }

    [Fact]
    public void LinesAreCountedAcrossContinuationsAndStrings()
    {
        var tokens = Lex("a \\\nb\n\"x\ny\" c\nd");
        Assert.Equal(1, tokens.First(t => t.Text == "a").Line);
        Assert.Equal(2, tokens.First(t => t.Text == "b").Line);
        Assert.Equal(4, tokens.First(t => t.Text == "c").Line);
        Assert.Equal(5, tokens.First(t => t.Text == "d").Line);
    }

    [Fact]
    public void HugeNumberIsAnError()
    {
        var errors = new List<ConfigDiagnostic>();
        Lexer.Tokenize("port 99999999999999999999", "t.conf", errors);
        Assert.Equal("t.conf:1: \"99999999999999999999\" invalid number: too large", Assert.Single(errors).ToString());
    }

    [Fact]
    public void OverlongStringIsAnError()
    {
        var errors = new List<ConfigDiagnostic>();
        Lexer.Tokenize("a " + new string('x', 9000), "t.conf", errors);
        Assert.Equal("t.conf:1: string too long", Assert.Single(errors).ToString());
    }

    [Fact]
    public void KeywordTableIsSorted()
    {
        Assert.Equal(Keywords.All.Order(StringComparer.Ordinal), Keywords.All);
        Assert.True(Keywords.IsKeyword("listen"));
        Assert.False(Keywords.IsKeyword("accept"));
    }

    [Theory]
    [InlineData("4d", 345600)]
    [InlineData("30m", 1800)]
    [InlineData("1h", 3600)]
    [InlineData("15s", 15)]
    [InlineData("0d", -1)]
    [InlineData("4", -1)]
    [InlineData("d", -1)]
    [InlineData("4w", -1)]
    public void DelaysParseLikeDelaytonum(string text, int seconds) => Assert.Equal(seconds, Durations.Parse(text));

    [Theory]
    [InlineData("35M", 36700160L)]
    [InlineData("1k", 1024L)]
    [InlineData("512", 512L)]
    [InlineData("10B", 10L)]
    [InlineData("x", -1L)]
    [InlineData("1.5G", 1610612736L)]
    [InlineData("0.5m", 524288L)]
    [InlineData("2.25k", 2304L)]
    [InlineData("1.5", 1L)]
    [InlineData("+2K", 2048L)]
    [InlineData("1M.", 1048576L)]
    [InlineData("10MB", -1L)]
    [InlineData("1.2.3", -1L)]
    [InlineData("-1K", -1L)]
    [InlineData("5X", -1L)]
    public void SizesParseWithBinarySuffixes(string text, long bytes) => Assert.Equal(bytes, Durations.ParseSize(text));
}
