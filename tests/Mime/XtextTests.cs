using Smtpd.Mime;

namespace Smtpd.Tests.Mime;

public class XtextTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a+2Bb", "a+b")]
    [InlineData("+3D+3d", "==")]
    [InlineData("end+2B", "end+")]
    [InlineData("bad+ZZ", "bad+ZZ")]
    [InlineData("short+2", "short+2")]
    [InlineData("+", "+")]
    public void DecodesEscapesAndKeepsMalformedOnes(string text, string expected)
    {
        Assert.Equal(expected, Xtext.Decode(text));
    }
}
