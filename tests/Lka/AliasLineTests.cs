using Smtpd.Lka;

namespace Smtpd.Tests.Lka;

public class AliasLineTests
{
    [Theory]
    [InlineData("alice", "Username", "alice")]
    [InlineData("Alice.Smith+tag", "Username", "alice.smith+tag")]
    [InlineData("bob@example.org", "Address", "bob@example.org")]
    [InlineData("|/usr/bin/vacation -a bob", "Filter", "/usr/bin/vacation -a bob")]
    [InlineData("\"|cat >> /tmp/x, y\"", "Filter", "cat >> /tmp/x, y")]
    [InlineData("/var/mail/archive", "Filename", "/var/mail/archive")]
    [InlineData(":include:/etc/mail/staff", "Include", "/etc/mail/staff")]
    [InlineData("include:/etc/mail/staff", "Include", "/etc/mail/staff")]
    [InlineData("error:550 No such list", "Error", "550 No such list")]
    [InlineData(":error:421 Try later", "Error", "421 Try later")]
    public void EachItemIsReadAsItsKind(string item, string kind, string text)
    {
        var nodes = AliasLine.Parse(item, includes: true);
        Assert.NotNull(nodes);
        var n = Assert.Single(nodes);
        Assert.Equal(kind, n.Kind.ToString());
        Assert.Equal(text, n.Text);
    }

    [Theory]
    [InlineData("error:250 fine")]
    [InlineData("error:55 short")]
    [InlineData("al ice")]
    [InlineData("\"|unterminated")]
    [InlineData("a\\")]
    [InlineData("@example.org")]
    public void MalformedItemsMakeTheWholeLineFail(string line) => Assert.Null(AliasLine.Parse(line, includes: true));

    [Fact]
    public void CommasSeparateItemsExceptInsideQuotesAndAfterABackslash()
    {
        var nodes = AliasLine.Parse(" alice , \"|echo a,b\", \\bob,, carol@example.org ", includes: true)!;
        Assert.Equal(["username:alice", "filter:echo a,b", "username:bob", "address:carol@example.org"], nodes.Select(n => n.ToString()));
    }

    [Fact]
    public void IncludesAreDroppedWhereTheyAreNotAllowed()
    {
        var nodes = AliasLine.Parse("alice, :include:/etc/staff", includes: false)!;
        Assert.Equal(["username:alice"], nodes.Select(n => n.ToString()));
    }

    [Fact]
    public void FileLinesLoseCommentsAndJoinContinuations()
    {
        string text = "# a comment\nalice, \\\nbob # trailing\n\\#literal\n\n";
        Assert.Equal(["", "alice, bob ", "\\#literal", "", ""], AliasLine.Lines(text).ToList());
    }
}
