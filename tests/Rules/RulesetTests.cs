using System.Net;
using Smtpd.Config;
using Smtpd.Rules;
using Smtpd.Tables;

namespace Smtpd.Tests.Rules;

public class RulesetTests
{
    private static readonly IPAddress[] LocalAddresses = [IPAddress.Loopback, IPAddress.IPv6Loopback, IPAddress.Parse("192.0.2.10")];

    private static Ruleset Load(string text)
    {
        var r = ConfigLoader.LoadFromString("listen on localhost\n" + text, "test.conf");
        Assert.True(r.Success, string.Join("\n", r.Errors));
        return new Ruleset(r.Config!.Rules, new TableSet(r.Config, "mx.example.org", LocalAddresses));
    }

    private static string? Verdict(Ruleset rules, string source, string rcpt, string sender = "someone@example.net", string? auth = null, string? rdns = null, bool isInternal = false, string? tag = null)
    {
        var result = rules.Match(new RuleContext { Source = source, Recipient = rcpt, Sender = sender, AuthUser = auth, Rdns = rdns, Internal = isInternal, Tag = tag });
        return result.TempFail ? "tempfail" : result.Rule is null ? null : result.Rule.Reject ? "reject" : result.Rule.Action;
    }

    private const string Debian = """
        action "local" maildir
        action "relay" relay
        match for local action "local"
        match from local for any action "relay"
        """;

    [Theory]
    [InlineData("127.0.0.1", "alice@localhost", "local")]
    [InlineData("127.0.0.1", "alice@mx.example.org", "local")]
    [InlineData("127.0.0.1", "alice@MX.Example.ORG", "local")]
    [InlineData("[::1]", "alice@192.0.2.10", "local")]
    [InlineData("local", "bob@gmail.com", "relay")]
    [InlineData("127.0.0.1", "bob@gmail.com", "relay")]
    [InlineData("192.0.2.10", "bob@gmail.com", "relay")]
    [InlineData("198.51.100.7", "bob@gmail.com", null)]
    [InlineData("198.51.100.7", "alice@mx.example.org", null)]
    [InlineData("[2001:db8::7]", "alice@localhost", null)]
    public void TheDebianDefaultServesLocalUsersAndIsNoOpenRelay(string source, string rcpt, string? expected) =>
        Assert.Equal(expected, Verdict(Load(Debian), source, rcpt));

    [Theory]
    [InlineData("alice@example.org", "vdomain")]
    [InlineData("alice@mail.example.com", "wild")]
    [InlineData("alice@example.com", null)]
    [InlineData("alice@other.org", null)]
    public void DomainsMatchExactlyOrByWildcard(string rcpt, string? expected)
    {
        var rules = Load("""
            action "vdomain" maildir
            action "wild" mbox
            match from any for domain "example.org" action "vdomain"
            match from any for domain { "*.example.com" } action "wild"
            """);
        Assert.Equal(expected, Verdict(rules, "198.51.100.7", rcpt));
    }

    [Theory]
    [InlineData("10.1.2.3", "relay")]
    [InlineData("11.0.0.1", "rejected")]
    [InlineData("[2001:db8:1::5]", "relay")]
    [InlineData("[2001:db9::5]", "rejected")]
    public void SourceNetworksMatchByCidrAndNegationTurnsThemAround(string source, string expected)
    {
        var rules = Load("""
            table trusted { 10.0.0.0/8, "2001:db8::/32" }
            action "relay" relay
            match from src <trusted> for any action "relay"
            match !from src <trusted> for any reject
            """);
        Assert.Equal(expected == "rejected" ? "reject" : expected, Verdict(rules, source, "x@example.org"));
    }

    [Theory]
    [InlineData("alice@example.org", "ok")]
    [InlineData("alice+lists@example.org", "ok")]
    [InlineData("bob@example.org", null)]
    [InlineData("", null)]
    public void MailFromTablesIgnoreSubAddressTags(string sender, string? expected)
    {
        var rules = Load("""
            table allowed { "alice@example.org", "@partner.net" }
            action "ok" relay
            match from any mail-from <allowed> for any action "ok"
            """);
        Assert.Equal(expected, Verdict(rules, "198.51.100.7", "x@elsewhere.org", sender));
    }

    [Fact]
    public void AuthenticatedUsersMatchFromAuthAndOptionallyATableOfNames()
    {
        var rules = Load("""
            table admins { "root", "ops@example.org" }
            action "admin" relay
            action "relay" relay
            match from auth <admins> for any action "admin"
            match from auth for any action "relay"
            """);
        Assert.Null(Verdict(rules, "198.51.100.7", "x@gmail.com"));
        Assert.Equal("relay", Verdict(rules, "198.51.100.7", "x@gmail.com", auth: "alice"));
        Assert.Equal("admin", Verdict(rules, "198.51.100.7", "x@gmail.com", auth: "root"));
        Assert.Equal("admin", Verdict(rules, "198.51.100.7", "x@gmail.com", auth: "ops@example.org"));
    }

    [Fact]
    public void AuthNegatedAuthAndMailFromCombineAsInOpenSmtpd()
    {
        var rules = Load("""
            table staff { "@example.org" }
            action "submission" relay
            action "inbound" maildir
            match from any auth mail-from <staff> for any action "submission"
            match from any auth regex "^bot-" for any reject
            match from any !auth for local action "inbound"
            match from any !auth for any reject
            """);
        Assert.Equal("submission", Verdict(rules, "198.51.100.7", "x@gmail.com", "alice@example.org", auth: "alice"));
        Assert.Null(Verdict(rules, "198.51.100.7", "x@gmail.com", "alice@example.net", auth: "alice"));
        Assert.Equal("reject", Verdict(rules, "198.51.100.7", "x@gmail.com", "bot-1@example.net", auth: "bot-1"));
        Assert.Equal("inbound", Verdict(rules, "198.51.100.7", "postmaster@localhost", "alice@example.org"));
        Assert.Equal("reject", Verdict(rules, "198.51.100.7", "x@gmail.com", "alice@example.org"));

        // Local enqueue is authenticated without a name: `auth` holds, `!auth` does not.
        Assert.Equal("submission", Verdict(rules, "local", "x@gmail.com", "root@example.org", auth: string.Empty));
    }

    [Fact]
    public void RegexCriteriaSearchTheKeyAndMayIgnoreCase()
    {
        var rules = Load("""
            action "lists" maildir
            match from any for rcpt-to regex "(?i)^list-.*@example\.org$" action "lists"
            """);
        Assert.Equal("lists", Verdict(rules, "198.51.100.7", "LIST-dev@example.org"));
        Assert.Null(Verdict(rules, "198.51.100.7", "dev@example.org"));
    }

    [Fact]
    public void RdnsCriteriaNeedANameAndOptionallyMatchIt()
    {
        var rules = Load("""
            action "named" maildir
            action "any-named" maildir
            match from rdns { "*.example.net" } for any action "named"
            match from rdns for any action "any-named"
            """);
        Assert.Equal("named", Verdict(rules, "198.51.100.7", "x@y.org", rdns: "mail.example.net"));
        Assert.Equal("any-named", Verdict(rules, "198.51.100.7", "x@y.org", rdns: "host.other.org"));
        Assert.Null(Verdict(rules, "198.51.100.7", "x@y.org"));
    }

    [Fact]
    public void InternalMailNeverMatchesSocketOrRdnsCriteriaEvenNegated()
    {
        var rules = Load("""
            action "a" maildir
            action "b" maildir
            match !from socket for any action "a"
            match from local for any action "b"
            """);
        Assert.Equal("b", Verdict(rules, "127.0.0.1", "x@y.org", isInternal: true));
        Assert.Equal("a", Verdict(rules, "127.0.0.1", "x@y.org"));
    }

    [Fact]
    public void TagsSelectRulesAndAbsentTagsDoNotMatch()
    {
        var rules = Load("""
            action "a" maildir
            match tag "submission" from any for any action "a"
            """);
        Assert.Equal("a", Verdict(rules, "198.51.100.7", "x@y.org", tag: "submission"));
        Assert.Null(Verdict(rules, "198.51.100.7", "x@y.org", tag: "other"));
        Assert.Null(Verdict(rules, "198.51.100.7", "x@y.org"));
    }

    [Fact]
    public void ATableThatCannotAnswerIsATemporaryFailureNotANoMatch()
    {
        var rules = Load("""
            table users db:/nonexistent/users.db
            action "a" maildir
            match from any for rcpt-to <users> action "a"
            match from any for any reject
            """);
        Assert.Equal("tempfail", Verdict(rules, "198.51.100.7", "x@y.org"));
    }

    [Fact]
    public void FileTablesAreReadAsListsOrMaps()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "# domains we host\nexample.org\n*.example.net\n");
            var rules = Load($"""
                table hosted file:{path}
                action "a" maildir
                match from any for domain <hosted> action "a"
                """);
            Assert.Equal("a", Verdict(rules, "198.51.100.7", "x@example.org"));
            Assert.Equal("a", Verdict(rules, "198.51.100.7", "x@mx.example.net"));
            Assert.Null(Verdict(rules, "198.51.100.7", "x@example.com"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
