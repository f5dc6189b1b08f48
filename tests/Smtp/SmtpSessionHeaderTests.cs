// The rewriting OpenSMTPD does to every message's header section on its way into the spool.
using System.Text.RegularExpressions;
using Smtpd.Smtp;

namespace Smtpd.Tests.Smtp;

public partial class SmtpSessionHeaderTests
{
    private const string Envelope = "EHLO c.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n";

    private static async Task<string> StoredAsync(string data, SmtpListenerOptions? options = null)
    {
        await using SmtpHarness h = SmtpHarness.Start(options, time: FixedTimeProvider.Default);
        await h.SendAsync(Envelope + data + "QUIT\r\n");
        await h.WaitAsync();
        Assert.Single(h.Host.Committed);
        string message = h.Host.LastMessage;
        return message[(message.IndexOf("(UTC)\n", StringComparison.Ordinal) + 6)..];
    }

    [Fact]
    public async Task ToCcAndFromWithoutDomainsAreQualified()
    {
        string stored = await StoredAsync("From: root\r\nTo: bob,\r\n\tcarol@example.net\r\nCc: Dave <dave>\r\nSubject: x\r\n\r\nbody\r\n.\r\n");
        Assert.Equal("From: root@mx.example.org\nTo: bob@mx.example.org,\n\tcarol@example.net\nCc: Dave <dave@mx.example.org>\nSubject: x\n\nbody\n", stored);
    }

    [Fact]
    public async Task AHeaderAtTheEndOfDataIsStillRewritten()
    {
        Assert.Equal("To: bob@mx.example.org\n", await StoredAsync("To: bob\r\n.\r\n"));
    }

    [Theory]
    [InlineData(25, false, false)]
    [InlineData(587, false, true)]
    [InlineData(25, true, true)]
    public async Task DateAndMessageIdAreAddedOnSubmissionAndLocalListeners(int port, bool local, bool added)
    {
        SmtpListenerOptions options = SmtpHarness.DefaultOptions with { Port = port, Local = local };
        string stored = await StoredAsync("Subject: x\r\n\r\nbody\r\n.\r\n", options);
        if (added)
        {
            Assert.Matches(AddedHeaders(), stored);
        }
        else
        {
            Assert.Equal("Subject: x\n\nbody\n", stored);
        }
    }

    [Fact]
    public async Task PresentDateAndMessageIdAreKept()
    {
        SmtpListenerOptions options = SmtpHarness.DefaultOptions with { Port = 587 };
        string data = "date: Mon, 1 Jan 2024 00:00:00 +0000\r\nMESSAGE-ID: <x@y>\r\n\r\n.\r\n";
        Assert.Equal("date: Mon, 1 Jan 2024 00:00:00 +0000\nMESSAGE-ID: <x@y>\n\n", await StoredAsync(data, options));
    }

    [Fact]
    public async Task AMasqueradingListenerShowsTheAuthenticatedSendersAddress()
    {
        SmtpListenerOptions options = SmtpHarness.DefaultOptions with { Local = true, Masquerade = true };
        string stored = await StoredAsync("From: Root <root>\r\n\r\n.\r\n", options);
        Assert.StartsWith("From: Root <a@example.org>\nDate: ", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnfoldedAddressHeaderOverTheLimitIsMalformed()
    {
        string fold = string.Concat(Enumerable.Repeat("\t" + new string('a', 60000) + "\r\n", 2));
        string reply = await SmtpHarness.LastReplyAsync(Envelope + "To: x\r\n" + fold + "\r\n.\r\n");
        Assert.Equal("550 5.7.1 Delivery not authorized, message refused: Message is not RFC 2822 compliant", reply);
    }

    [GeneratedRegex("^Subject: x\nDate: Sun, 22 Nov 2026 02:07:36 \\+0000 \\(UTC\\)\nMessage-ID: <[0-9a-f]{16}@mx\\.example\\.org>\n\nbody\n$")]
    private static partial Regex AddedHeaders();
}
