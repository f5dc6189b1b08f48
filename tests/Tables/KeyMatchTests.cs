using Smtpd.Tables;

namespace Smtpd.Tests.Tables;

public class KeyMatchTests
{
    [Theory]
    [InlineData("example.org", "example.org", true)]
    [InlineData("EXAMPLE.org", "example.ORG", true)]
    [InlineData("mx.example.org", "*.example.org", true)]
    [InlineData("example.org", "*.example.org", false)]
    [InlineData("a.b.example.org", "*.example.org", false)] // one label only, as hostname_match does
    [InlineData("example.org", "*", true)]
    [InlineData("example.org", "example.com", false)]
    [InlineData("example.org", "example.or", false)]
    public void DomainsMatchLikeHostnameMatch(string host, string pattern, bool expected) =>
        Assert.Equal(expected, KeyMatch.Domain(host, pattern));

    [Theory]
    [InlineData("alice@example.org", "alice@example.org", true)]
    [InlineData("Alice@Example.org", "alice@example.org", true)]
    [InlineData("alice+tag@example.org", "alice@example.org", true)]
    [InlineData("alice+tag@example.org", "alice+tag@example.org", true)]
    [InlineData("alice@example.org", "alice+tag@example.org", false)]
    [InlineData("bob@example.org", "@example.org", true)]
    [InlineData("bob@sub.example.org", "@*.example.org", true)]
    [InlineData("bob@example.org", "bob", true)]
    [InlineData("bob@example.org", "", true)]
    [InlineData("bob@example.org", "alice", false)]
    public void AddressesMatchByUserAndDomain(string address, string entry, bool expected) =>
        Assert.Equal(expected, KeyMatch.Mailaddr(address, entry));

    [Theory]
    [InlineData("192.0.2.1", "192.0.2.0/24", true)]
    [InlineData("192.0.3.1", "192.0.2.0/24", false)]
    [InlineData("192.0.2.1", "192.0.2.1", true)]
    [InlineData("10.255.0.1", "10.0.0.0/8", true)]
    [InlineData("10.0.0.1", "0.0.0.0/0", true)]
    [InlineData("[2001:db8::1]", "2001:db8::/32", true)]
    [InlineData("[2001:db8::1]", "0.0.0.0/0", false)]
    [InlineData("[::1]", "::/0", true)]
    [InlineData("local", "local", true)]
    [InlineData("local", "0.0.0.0/0", false)]
    [InlineData("192.0.2.1", "garbage", false)]
    [InlineData("192.0.2.1", "192.0.2.0/33", false)]
    public void NetworkAddressesMatchByCidr(string address, string entry, bool expected) =>
        Assert.Equal(expected, KeyMatch.Netaddr(address, entry));

    [Fact]
    public void ABadRegexNeverMatches()
    {
        Assert.False(KeyMatch.Regex("abc", "(unclosed"));
        Assert.True(KeyMatch.Regex("xabcx", "abc"));
        Assert.True(KeyMatch.Regex("ABC", "(?i)^abc$"));
        Assert.False(KeyMatch.Regex("ABC", "^abc$"));
    }

    [Fact]
    public void TableFilesAreListsOrMapsDecidedByTheFirstEntry()
    {
        var (list, bad) = TableFile.Parse("# comment\n\n  one\ntwo words here\n");
        Assert.Equal(0, bad);
        Assert.Equal([("one", (string?)null), ("two words here", null)], list);

        var (map, bad2) = TableFile.Parse("root: admin@example.org\npostmaster  root\n[with space] value\n");
        Assert.Equal(0, bad2);
        Assert.Equal([("root", (string?)"admin@example.org"), ("postmaster", "root"), ("[with space]", "value")], map);

        Assert.Equal(2, TableFile.Parse("a b\nlonely\n").MalformedLine);
        Assert.Equal(1, TableFile.Parse("[unclosed value\n").MalformedLine);
        Assert.Equal([("a b", (string?)null)], TableFile.Parse("# @list\na b\n").Entries);
    }
}
