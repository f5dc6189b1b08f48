// Filtered listeners: the phases the filter chain sees and what each decision does.
using Smtpd.Smtp;

namespace Smtpd.Tests.Smtp;

public class SmtpSessionFilterTests
{
    private const string Transaction = "EHLO c.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nSubject: x\r\n\r\nhi\r\n.\r\n";
    private static readonly SmtpListenerOptions s_filtered = SmtpHarness.DefaultOptions with { Filtered = true };

    private static FakeSmtpHost Host(SmtpFilterPhase phase, SmtpFilterResult result) =>
        new() { FilterPolicy = (p, _) => p == phase ? result : SmtpFilterResult.Proceed };

    [Fact]
    public async Task EveryPhaseButHelpAndWizIsShownToTheFilters()
    {
        (_, FakeSmtpHost host) = await SmtpHarness.TranscriptAsync(Transaction + "HELP\r\nWIZ\r\nNOOP x\r\nRSET\r\nQUIT\r\n", s_filtered);
        Assert.Equal(
            [
                (SmtpFilterPhase.Connect, "192.0.2.1"),
                (SmtpFilterPhase.Ehlo, "c.example"),
                (SmtpFilterPhase.MailFrom, "<a@example.org>"),
                (SmtpFilterPhase.RcptTo, "<b@example.org>"),
                (SmtpFilterPhase.Data, string.Empty),
                (SmtpFilterPhase.Commit, string.Empty),
                (SmtpFilterPhase.Noop, string.Empty),
                (SmtpFilterPhase.Rset, string.Empty),
                (SmtpFilterPhase.Quit, string.Empty),
            ],
            host.Filtered);
    }

    [Fact]
    public async Task AnUnfilteredListenerNeverAsks()
    {
        (_, FakeSmtpHost host) = await SmtpHarness.TranscriptAsync(Transaction);
        Assert.Empty(host.Filtered);
    }

    [Fact]
    public async Task ARejectIsTheReplyAndTheSessionGoesOn()
    {
        FakeSmtpHost host = Host(SmtpFilterPhase.MailFrom, SmtpFilterResult.Reject("550 you are not welcome"));
        (List<string> lines, _) = await SmtpHarness.TranscriptAsync("EHLO c.example\r\nMAIL FROM:<a@example.org>\r\nNOOP\r\n", s_filtered, host);
        Assert.Equal(["550 you are not welcome", "250 2.0.0 Ok"], lines[^2..]);
        Assert.Empty(host.Senders);
    }

    [Theory]
    [InlineData((int)SmtpFilterDecision.Reject, "421 closing", "421 closing")]
    [InlineData((int)SmtpFilterDecision.Reject, "nonsense", "421 Internal server error")]
    [InlineData((int)SmtpFilterDecision.Reject, "250 ok really", "421 Internal server error")]
    [InlineData((int)SmtpFilterDecision.Disconnect, "554 bye", "554 bye")]
    public async Task A421OrADisconnectEndsTheSession(int decision, string parameter, string reply)
    {
        FakeSmtpHost host = Host(SmtpFilterPhase.Helo, new SmtpFilterResult((SmtpFilterDecision)decision, parameter));
        (List<string> lines, _) = await SmtpHarness.TranscriptAsync("HELO c.example\r\nNOOP\r\n", s_filtered, host);
        Assert.Equal(reply, lines[^1]);
        Assert.Equal("0123456789abcdef smtp disconnected reason=quit", host.Logs[^1]);
    }

    [Fact]
    public async Task ARewrittenArgumentIsCheckedAndUsed()
    {
        FakeSmtpHost host = Host(SmtpFilterPhase.RcptTo, SmtpFilterResult.Rewrite("<c@example.org>"));
        await SmtpHarness.TranscriptAsync("EHLO c.example\r\nMAIL FROM:<>\r\nRCPT TO:<b@example.org>\r\n", s_filtered, host);
        Assert.Equal("c@example.org", host.RecipientsAsked.Single().Address.ToString());

        FakeSmtpHost bad = Host(SmtpFilterPhase.RcptTo, SmtpFilterResult.Rewrite("garbage"));
        Assert.Equal("501 5.1.3 Recipient address syntax error", await SmtpHarness.LastReplyAsync("EHLO c.example\r\nMAIL FROM:<>\r\nRCPT TO:<b@example.org>\r\n", s_filtered, bad));
        Assert.Empty(bad.RecipientsAsked);
    }

    [Theory]
    [InlineData((int)SmtpFilterPhase.Connect)]
    [InlineData((int)SmtpFilterPhase.RcptTo)]
    public async Task JunkMarksTheMessage(int phase)
    {
        FakeSmtpHost host = Host((SmtpFilterPhase)phase, SmtpFilterResult.Junk);
        await SmtpHarness.TranscriptAsync(Transaction, s_filtered, host);
        Assert.StartsWith("X-Spam: Yes\nReceived: ", host.LastMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARejectAtCommitRollsBackAndKeepsTheSession()
    {
        FakeSmtpHost host = Host(SmtpFilterPhase.Commit, SmtpFilterResult.Reject("554 5.7.1 spam"));
        (List<string> lines, _) = await SmtpHarness.TranscriptAsync(Transaction + "NOOP\r\n", s_filtered, host);
        Assert.Equal(["554 5.7.1 spam", "250 2.0.0 Ok"], lines[^2..]);
        Assert.Empty(host.Committed);
        Assert.Equal([0x1a2b3c4du], host.RolledBack);
    }

    [Fact]
    public async Task ARejectAtConnectReplacesTheBanner()
    {
        FakeSmtpHost host = Host(SmtpFilterPhase.Connect, SmtpFilterResult.Reject("554 no thanks"));
        (List<string> lines, _) = await SmtpHarness.TranscriptAsync("HELO c.example\r\n", s_filtered, host);
        Assert.Equal(["554 no thanks", "503 5.5.1 Invalid command: Command not allowed at this point."], lines);
    }
}
