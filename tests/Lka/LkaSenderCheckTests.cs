// `senders <table>` in the lookup agent: the user's list of addresses (mailaddr_line) and how a
// MAIL FROM matches an entry (mailaddr_match): whole addresses, "@domain", bare users, the
// catch-all, +tags; an unknown user may send as nobody; a broken list is a temporary failure.
using System.Net;
using Smtpd.Config;
using Smtpd.Ipc.Messages;
using Smtpd.Lka;
using Smtpd.Tables;
using Smtpd.Tests.Mda;

namespace Smtpd.Tests.Lka;

public sealed class LkaSenderCheckTests : IDisposable
{
    private const string Pki = "pki mx.example.org cert \"/etc/ssl/mx.crt\"\npki mx.example.org key \"/etc/ssl/mx.key\"\n";

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private LkaSenderCheck Build(string tableSource, string extra = "")
    {
        string path = Path.Combine(_dir.Path, "senders");
        File.WriteAllText(path, tableSource);
        var r = ConfigLoader.LoadFromString(
            Pki + extra + $"table allowed file:{path}\nlisten on 127.0.0.1\nlisten on 127.0.0.1 port 465 smtps pki mx.example.org auth-optional senders <allowed>\naction \"local\" maildir\nmatch from any for local action \"local\"\n",
            "test.conf");
        Assert.True(r.Success, string.Join("\n", r.Errors));
        return new LkaSenderCheck(r.Config!, new TableSet(r.Config!, "mx.example.org", [IPAddress.Loopback]));
    }

    private static AuthStatus Ask(LkaSenderCheck check, string user, string sender, int listener = 1) =>
        check.Check(new LkaCheckSender(5, listener, user, sender)).Status;

    [Theory]
    [InlineData("alice", "alice@example.org", AuthStatus.Ok)]
    [InlineData("alice", "ALICE@Example.ORG", AuthStatus.Ok)]
    [InlineData("alice", "alice+lists@example.org", AuthStatus.Ok)]
    [InlineData("alice", "sales@example.net", AuthStatus.Ok)]
    [InlineData("alice", "anyone@example.net", AuthStatus.Ok)]
    [InlineData("alice", "bob@example.org", AuthStatus.Fail)]
    [InlineData("alice", "alice@example.com", AuthStatus.Fail)]
    [InlineData("alice", "", AuthStatus.Fail)]
    [InlineData("bob", "bob@anywhere.example", AuthStatus.Ok)]
    [InlineData("bob", "bobby@anywhere.example", AuthStatus.Fail)]
    [InlineData("tagged", "t+news@example.org", AuthStatus.Ok)]
    [InlineData("tagged", "t@example.org", AuthStatus.Fail)]
    [InlineData("tagged", "t+other@example.org", AuthStatus.Fail)]
    [InlineData("postmaster", "", AuthStatus.Ok)]
    [InlineData("postmaster", "whoever@example.com", AuthStatus.Ok)]
    [InlineData("mallory", "mallory@example.org", AuthStatus.Fail)]
    [InlineData("broken", "x@example.org", AuthStatus.TempFail)]
    internal void TheSenderMustBeOneOfTheUsersAddresses(string user, string sender, AuthStatus expected)
    {
        var check = Build("""
            alice   alice@example.org, @example.net
            bob     bob
            tagged  t+news@example.org
            postmaster  @, other@example.org
            broken  "x@example.org
            """);
        Assert.Equal(expected, Ask(check, user, sender));
    }

    [Fact]
    public void TheSubaddressDelimiterIsTheConfiguredOne()
    {
        var check = Build("alice alice@example.org\n", "smtp sub-addr-delim \"-\"\n");
        Assert.Equal(AuthStatus.Ok, Ask(check, "alice", "alice-lists@example.org"));
        Assert.Equal(AuthStatus.Fail, Ask(check, "alice", "alice+lists@example.org"));
    }

    [Fact]
    public void AListenerWithoutASendersTableCannotAnswer()
    {
        var check = Build("alice alice@example.org\n");
        Assert.Equal(AuthStatus.TempFail, Ask(check, "alice", "alice@example.org", listener: 0));
        Assert.Equal(AuthStatus.TempFail, Ask(check, "alice", "alice@example.org", listener: 9));
    }

    [Theory]
    [InlineData("a@b, c@d", new[] { "a@b", "c@d" })]
    [InlineData(" a@b ,, c@d ,", new[] { "a@b", "c@d" })]
    [InlineData("\"x,y\"@b, c\\,d@e", new[] { "\"x,y\"@b", "c,d@e" })]
    [InlineData("", new string[0])]
    public void ListsSplitOnCommasOutsideQuotes(string value, string[] expected)
    {
        Assert.Equal(expected, LkaSenderCheck.ParseList(value));
    }

    [Theory]
    [InlineData("\"a@b")]
    [InlineData("'a@b")]
    [InlineData("a@b\\")]
    public void UnbalancedQuotesOrATrailingBackslashAreMalformed(string value)
    {
        Assert.Null(LkaSenderCheck.ParseList(value));
    }
}
