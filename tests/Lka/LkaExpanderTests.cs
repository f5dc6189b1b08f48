using System.Net;
using Smtpd.Config;
using Smtpd.Interop;
using Smtpd.Ipc.Messages;
using Smtpd.Lka;
using Smtpd.Rules;
using Smtpd.Tables;

namespace Smtpd.Tests.Lka;

public class LkaExpanderTests
{
    private static readonly Dictionary<string, PasswdEntry> Users = new()
    {
        ["alice"] = new PasswdEntry("alice", 1001, 1001, "/home/alice", "/bin/sh"),
        ["bob"] = new PasswdEntry("bob", 1002, 1002, "/home/bob", "/bin/sh"),
    };

    private static LkaExpander Build(string conf)
    {
        var r = ConfigLoader.LoadFromString("listen on localhost\n" + conf, "test.conf");
        Assert.True(r.Success, string.Join("\n", r.Errors));
        var tables = new TableSet(r.Config!, "mx.example.org", [IPAddress.Loopback]);
        return new LkaExpander(r.Config!, new Ruleset(r.Config!.Rules, tables), tables, name => Users.GetValueOrDefault(name));
    }

    private static (byte, string, List<LkaDelivery>) Expand(LkaExpander x, string rcpt, string source = "198.51.100.7") =>
        x.Expand(new RuleContext { Source = source, Recipient = rcpt, Sender = "s@example.net" });

    [Fact]
    public void ALocalUserGetsOneLocalDeliveryWithItsSubaddress()
    {
        var x = Build("action \"local\" maildir\nmatch from any for domain \"example.org\" action \"local\"\n");
        var (status, _, d) = Expand(x, "Alice+Lists@example.org");
        Assert.Equal(LkaExpandReply.Accepted, status);
        Assert.Equal([new LkaDelivery("local", false, "alice", "Alice+Lists@example.org", "lists")], d);
    }

    [Fact]
    public void UnknownUsersAndUnmatchedRecipientsAreInvalid()
    {
        var x = Build("action \"local\" maildir\nmatch from any for domain \"example.org\" action \"local\"\n");
        Assert.Equal((LkaExpandReply.Rejected, "550 Invalid recipient"), Take(Expand(x, "nobody-here@example.org")));
        Assert.Equal((LkaExpandReply.Rejected, "550 Invalid recipient"), Take(Expand(x, "alice@elsewhere.org")));
        Assert.Contains("does not match system user", x.Expand(new RuleContext { Source = "local", Recipient = "zed@example.org" }).Reply + x.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void RelayActionsKeepTheAddress()
    {
        var x = Build("action \"relay\" relay\nmatch from local for any action \"relay\"\n");
        var (status, _, d) = Expand(x, "someone@gmail.com", "127.0.0.1");
        Assert.Equal(LkaExpandReply.Accepted, status);
        Assert.Equal([new LkaDelivery("relay", true, "", "someone@gmail.com", "")], d);
    }

    [Fact]
    public void AliasesOfNamesAndAddressesExpandAndLoopsStop()
    {
        var x = Build("""
            table aliases { root = "alice, bob", postmaster = root, staff = "alice, bob@example.org", loop1 = loop2, loop2 = loop1 }
            action "local" mbox alias <aliases>
            match from any for domain "example.org" action "local"
            """);
        var (_, _, d) = Expand(x, "postmaster@example.org");
        Assert.Equal(["alice", "bob"], d.Select(v => v.User));
        var (s2, _, d2) = Expand(x, "staff@example.org");
        Assert.Equal(LkaExpandReply.Accepted, s2);
        Assert.Equal(["alice", "bob"], d2.Select(v => v.User));
        Assert.Equal((LkaExpandReply.Rejected, "524 5.2.4 Mailing list expansion problem"), Take(Expand(x, "loop1@example.org")));
    }

    [Fact]
    public void ALookupThatCannotAnswerDefersTheRecipient()
    {
        var x = Build("table users db:/nonexistent.db\naction \"local\" maildir\nmatch from any for rcpt-to <users> action \"local\"\n");
        Assert.Equal((LkaExpandReply.TempFail, "451 Temporary failure"), Take(Expand(x, "alice@example.org")));
    }

    private static (byte, string) Take((byte Status, string Reply, List<LkaDelivery> _) r) => (r.Status, r.Reply);
}
