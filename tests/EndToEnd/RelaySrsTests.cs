// SRS as OpenSMTPD does it: mail an alias forwards to another domain leaves through a `relay srs`
// action with the sender rewritten to an SRS0 address of ours; mail not forwarded keeps its
// sender; a bounce to that SRS0 address goes back to the original sender.
using System.Text.RegularExpressions;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class RelaySrsTests
{
    private static readonly string[] Zone =
    [
        "example.test. MX 10 mx-c.example.test.",
        "sender.test. MX 10 mx-c.example.test.",
        "mx-c.example.test. A 127.0.0.13",
    ];

    [RelayFact]
    public void ForwardedMailLeavesWithAnSrs0SenderAndABounceToItReturnsToTheOriginalSender()
    {
        using var w = new RelayWorld(Zone);
        var c = w.Peer("c", "127.0.0.13", new System.Text.Json.Nodes.JsonObject { ["name"] = "mx-c.example.test" });
        using var daemon = w.StartWith($$"""
            srs key "a secret of ours"
            table aliases { fwd = "someone@example.test" }
            listen on 127.0.0.1 port {PORT}
            action "local" maildir "{{w.Mail}}" alias <aliases>
            action "out" relay srs
            match from local for local action "local"
            match from local for any action "out"

            """);

        // Forwarded by the alias: the sender becomes SRS0=HHHH=TT=sender.test=alice@localhost.
        w.Send(daemon, "alice@sender.test", ["fwd@localhost"], "From: alice@sender.test\r\nSubject: forwarded\r\n\r\nhi\r\n");
        Wait.Until(() => c.Messages().Count == 1, () => "the forwarded message is relayed:\n" + daemon.Log);
        var mail = Assert.Single(c.Commands(), l => l.StartsWith("MAIL", StringComparison.Ordinal));
        var m = Regex.Match(mail, @"^MAIL FROM:<(SRS0=[A-Za-z0-9+/]{4}=[A-Z2-7]{2}=sender\.test=alice@localhost)>");
        Assert.True(m.Success, mail);
        Assert.Contains("RCPT TO:<someone@example.test>", c.Commands());

        // Sent straight to the other domain, not forwarded: the sender is left as it is.
        w.Send(daemon, "alice@sender.test", ["bob@example.test"], "From: alice@sender.test\r\nSubject: direct\r\n\r\nhi\r\n");
        Wait.Until(() => c.Messages().Count == 2, () => "the direct message is relayed:\n" + daemon.Log);
        Assert.Contains("MAIL FROM:<alice@sender.test>", c.Commands().Where(l => l.StartsWith("MAIL", StringComparison.Ordinal)).Select(l => l.Split(' ')[0] + " " + l.Split(' ')[1]));

        // The next hop's bounce to the SRS0 address goes back to alice@sender.test.
        w.Send(daemon, string.Empty, [m.Groups[1].Value], "From: MAILER-DAEMON@example.test\r\nSubject: bounce\r\n\r\nreturned\r\n");
        Wait.Until(() => c.Messages().Count == 3, () => "the bounce is relayed to the original sender:\n" + daemon.Log);
        Assert.Equal(["MAIL FROM:<>", "RCPT TO:<alice@sender.test>"], c.Commands().Where(l => l.StartsWith("MAIL", StringComparison.Ordinal) || l.StartsWith("RCPT", StringComparison.Ordinal)).TakeLast(2).Select(l => l.Split(' ')[0] + " " + l.Split(' ')[1]));
        Assert.Empty(w.Reports());
    }
}
