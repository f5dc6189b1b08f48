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
    internal static readonly Dictionary<string, PasswdEntry> Users = new()
    {
        ["alice"] = new PasswdEntry("alice", 1001, 1001, "/home/alice", "/bin/sh"),
        ["bob"] = new PasswdEntry("bob", 1002, 1002, "/home/bob", "/bin/sh"),
        ["root"] = new PasswdEntry("root", 0, 0, "/root", "/bin/sh"),
    };

    internal static LkaExpander Build(string conf, Func<UserInfo, ValueTask<ForwardOpen>>? openForward = null)
    {
        var r = ConfigLoader.LoadFromString("listen on localhost\n" + conf, "test.conf");
        Assert.True(r.Success, string.Join("\n", r.Errors));
        var tables = new TableSet(r.Config!, "mx.example.org", [IPAddress.Loopback]);
        return new LkaExpander(r.Config!, new Ruleset(r.Config!.Rules, tables), tables, name => Users.GetValueOrDefault(name), openForward);
    }

    internal static async Task<LkaExpansion> Run(LkaExpander x, string rcpt, string source = "198.51.100.7") =>
        await x.ExpandAsync(new RuleContext { Source = source, Recipient = rcpt, Sender = "s@example.net" });

    [Fact]
    public async Task ALocalUserGetsOneLocalDeliveryWithItsSubaddress()
    {
        var x = Build("action \"local\" maildir\nmatch from any for domain \"example.org\" action \"local\"\n");
        var r = await Run(x, "Alice+Lists@example.org");
        Assert.Equal(ExpandStatus.Accepted, r.Status);
        Assert.Equal([new LkaDelivery("local", false, "alice", "Alice+Lists@example.org", "lists")], r.Deliveries);
    }

    [Fact]
    public async Task TheSubaddressDelimiterComesFromTheConfiguration()
    {
        var x = Build("smtp sub-addr-delim \"-\"\naction \"local\" maildir\nmatch from any for domain \"example.org\" action \"local\"\n");
        var r = await Run(x, "bob-work@example.org");
        Assert.Equal([new LkaDelivery("local", false, "bob", "bob-work@example.org", "work")], r.Deliveries);
    }

    [Fact]
    public async Task UnknownUsersAndUnmatchedRecipientsAreInvalid()
    {
        var x = Build("action \"local\" maildir\nmatch from any for domain \"example.org\" action \"local\"\n");
        Assert.Equal((ExpandStatus.Rejected, "550 Invalid recipient"), Take(await Run(x, "nobody-here@example.org")));
        Assert.Equal((ExpandStatus.Rejected, "550 Invalid recipient"), Take(await Run(x, "alice@elsewhere.org")));
        Assert.Contains("does not match system user", (await Run(x, "zed@example.org", "local")).Why, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RelayActionsKeepTheAddress()
    {
        var x = Build("action \"relay\" relay\nmatch from local for any action \"relay\"\n");
        var r = await Run(x, "someone@gmail.com", "127.0.0.1");
        Assert.Equal(ExpandStatus.Accepted, r.Status);
        Assert.Equal([new LkaDelivery("relay", true, "", "someone@gmail.com", "")], r.Deliveries);
    }

    [Fact]
    public async Task ALookupThatCannotAnswerDefersTheRecipient()
    {
        var x = Build("table users db:/nonexistent.db\naction \"local\" maildir\nmatch from any for rcpt-to <users> action \"local\"\n");
        Assert.Equal((ExpandStatus.TempFail, "451 Temporary failure"), Take(await Run(x, "alice@example.org")));
    }

    [Fact]
    public async Task AUserbaseTableNamesVirtualUsersWithTheirOwnIds()
    {
        var x = Build("""
            table vusers { carol = "2001:2001:/var/vmail/carol" }
            action "local" maildir userbase <vusers>
            match from any for domain "example.org" action "local"
            """);
        Assert.Equal([new LkaDelivery("local", false, "carol", "carol+x@example.org", "x")], (await Run(x, "carol+x@example.org")).Deliveries);
        // alice is a system user but not in this userbase.
        Assert.Equal((ExpandStatus.Rejected, "550 Invalid recipient"), Take(await Run(x, "alice@example.org")));
    }

    [Fact]
    public async Task AnActionUserLeavesTheRecipientAsTheEnvelopeUser()
    {
        // As OpenSMTPD's mda_user: the userbase knows alice; the parent delivers as bob.
        var x = Build("action \"local\" maildir user \"bob\"\nmatch from any for domain \"example.org\" action \"local\"\n");
        Assert.Equal([new LkaDelivery("local", false, "alice", "alice@example.org", "")], (await Run(x, "alice@example.org")).Deliveries);
    }

    [Fact]
    public async Task AMalformedUserbaseEntryDefersTheRecipient()
    {
        var x = Build("""
            table vusers { carol = "not-ids" }
            action "local" maildir userbase <vusers>
            match from any for domain "example.org" action "local"
            """);
        Assert.Equal((ExpandStatus.TempFail, "451 Temporary failure"), Take(await Run(x, "carol@example.org")));
    }

    internal static (ExpandStatus, string) Take(LkaExpansion r) => (r.Status, r.Reply);
}
