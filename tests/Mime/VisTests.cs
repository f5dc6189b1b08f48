// vis(3) with each flag set smtpd uses: logs (failed commands, AUTH user names), mda command
// output in bounces, and the error column of show queue.
using Smtpd.Mime;

namespace Smtpd.Tests.Mime;

public class VisTests
{
    [Theory]
    [InlineData("plain text", (int)(VisFlags.None), "plain text")]
    [InlineData("a\\b", (int)(VisFlags.None), "a\\\\b")]
    [InlineData("tab\there\nnl", (int)(VisFlags.None), "tab\there\nnl")]
    [InlineData("bell\a del\x7f", (int)(VisFlags.None), "bell\\^G del\\^?")]
    [InlineData("cr\r", (int)(VisFlags.None), "cr\\^M")]
    [InlineData("cr\r", (int)(VisFlags.Safe), "cr\r")]
    [InlineData("\xe9t\xe9 \x81", (int)(VisFlags.None), "\\M-it\\M-i \\M^A")]
    [InlineData("nbsp\xa0", (int)(VisFlags.None), "nbsp\\240")]
    [InlineData("al ice\t", (int)(VisFlags.Safe | VisFlags.White), "al\\040ice\\^I")]
    [InlineData("MAIL FROM:<a>\r\n", (int)(VisFlags.Safe | VisFlags.CStyle), "MAIL FROM:<a>\r\n")]
    [InlineData("x\0y\v\f", (int)(VisFlags.Safe | VisFlags.CStyle), "x\\0y\\v\\f")]
    [InlineData("line\nnext", (int)(VisFlags.Safe | VisFlags.CStyle | VisFlags.Newline), "line\\nnext")]
    [InlineData(" sp", (int)(VisFlags.CStyle | VisFlags.Space), "\\ssp")]
    public void EncodesAsOpenBsdsVisDoes(string text, int flags, string expected) =>
        Assert.Equal(expected, Vis.Encode(text, (VisFlags)flags));

    [Fact]
    public void TextWithNothingToEscapeIsReturnedAsIs()
    {
        const string text = "nothing to do here";
        Assert.Same(text, Vis.Encode(text, VisFlags.Safe | VisFlags.CStyle));
    }

    [Fact]
    public void OneByteEncodesAsInAString()
    {
        for (int c = 0; c < 256; c++)
        {
            Assert.Equal(Vis.Encode(((char)c).ToString(), VisFlags.Safe | VisFlags.CStyle | VisFlags.Newline), Vis.Encode((byte)c, VisFlags.Safe | VisFlags.CStyle | VisFlags.Newline));
        }
    }
}
