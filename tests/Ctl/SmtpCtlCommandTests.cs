// smtpctl's command patterns: words may be shortened, "<str>" takes any one argument.
using Smtpd.Ctl;

namespace Smtpd.Tests.Ctl;

public class SmtpCtlCommandTests
{
    [Theory]
    [InlineData("update table aliases", true)]
    [InlineData("up ta aliases", true)]
    [InlineData("update table", false)]
    [InlineData("update table a b", false)]
    [InlineData("update tables aliases", false)]
    public void UpdateTableTakesExactlyOneTableName(string line, bool expected) =>
        Assert.Equal(expected, SmtpCtl.Matches("update table <str>", line.Split(' ')));

    [Fact]
    public void AnEmptyArgumentMatchesNothing() =>
        Assert.False(SmtpCtl.Matches("update table <str>", ["update", "table", ""]));
}
