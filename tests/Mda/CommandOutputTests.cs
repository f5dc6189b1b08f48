using System.Text;
using Smtpd.Interop;
using Smtpd.Mda;

namespace Smtpd.Tests.Mda;

public class CommandOutputTests
{
    private static string LastLine(string printed) => LastLine(Encoding.UTF8.GetBytes(printed));

    private static string LastLine(byte[] printed)
    {
        using var f = Posix.AnonymousFile("test");
        Assert.Equal(Errno.None, Posix.TryWriteAll(f, printed));
        return CommandOutput.LastLine(f);
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("mailbox full\n", "\"mailbox full\"")]
    [InlineData("first\nsecond\nmailbox full\n", "\"mailbox full\"")]
    [InlineData("first\nno newline at the end", "\"no newline at the end\"")]
    [InlineData("first\n\n", "\"\"")]
    [InlineData("\n", "\"\"")]
    public void TheLastLinePrintedIsQuoted(string printed, string expected)
    {
        Assert.Equal(expected, LastLine(printed));
    }

    [Theory]
    [InlineData("tab\there", "\"tab\there\"")]
    [InlineData("back\\slash", "\"back\\\\slash\"")]
    [InlineData("bell\a cr\r", "\"bell\a cr\r\"")]
    [InlineData("vt\v ff\f esc\u001b del\u007f", "\"vt\\v ff\\f esc\\^[ del\\^?\"")]
    [InlineData("cut\0after the nul", "\"cut\"")]
    public void ControlCharactersAreWrittenTheVisWay(string line, string expected)
    {
        Assert.Equal(expected, CommandOutput.Quote(Encoding.Latin1.GetBytes(line)));
    }

    [Fact]
    public void EightBitBytesAreMetaEscapedOneByOne()
    {
        // "é" in UTF-8 is C3 A9; A0 (meta-space) is octal.
        Assert.Equal("\"caf\\M-C\\M-) \\240\"", CommandOutput.Quote([.. "caf"u8, 0xc3, 0xa9, (byte)' ', 0xa0]));
    }

    [Fact]
    public void ALongLineIsCutWithoutSplittingAnEscape()
    {
        string quoted = LastLine(new string('x', 252) + "\u001bmore\n");
        Assert.Equal(CommandOutput.MaxEncoded + 1, quoted.Length);
        Assert.Equal("\"" + new string('x', 252) + "\"", quoted);
        Assert.Equal(CommandOutput.MaxEncoded + 2, LastLine(new string('y', 5000)).Length);
    }
}
