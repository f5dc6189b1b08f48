using Smtpd.Dns;

namespace Smtpd.Tests.Dns;

public class DnsNameTests
{
    [Theory]
    [InlineData("mail.example.org", true)]
    [InlineData("a", true)]
    [InlineData("under_score.example", true)]
    [InlineData("trailing-.example", true)]
    [InlineData("-leading.example", false)]
    [InlineData("a..b", false)]
    [InlineData(".example", false)]
    [InlineData("example.org.", false)]
    [InlineData("a b.example", false)]
    [InlineData("mail\r\n.example", false)]
    [InlineData("<script>.example", false)]
    [InlineData("ma\\255il.example", false)]
    [InlineData("", false)]
    public void HostNamesFollowResHnok(string name, bool valid) => Assert.Equal(valid, DnsName.IsHostName(name));

    [Fact]
    public void LabelAndNameLengthsAreBounded()
    {
        Assert.True(DnsName.IsHostName(new string('a', 63) + ".org"));
        Assert.False(DnsName.IsHostName(new string('a', 64) + ".org"));
        string name253 = string.Join('.', Enumerable.Repeat(new string('a', 62), 4)) + ".a";
        Assert.Equal(253, name253.Length);
        Assert.True(DnsName.IsHostName(name253));
        Assert.False(DnsName.IsHostName(name253 + "a"));
    }

    [Theory]
    [InlineData("example.org.", true)]
    [InlineData("_25._tcp.mx.example.org", true)]
    [InlineData("_mta-sts.example.org", true)]
    [InlineData(".", false)]
    [InlineData("a..b", false)]
    [InlineData("exämple.org", false)]
    public void QueryNamesAreDnsNamesWithAnOptionalFinalDot(string name, bool valid) => Assert.Equal(valid, DnsName.IsQueryable(name));
}
