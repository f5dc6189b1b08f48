// DATA: dot-unstuffing, size accounting, loop detection, header checks, over-long lines.
using Smtpd.Smtp;

namespace Smtpd.Tests.Smtp;

public class SmtpSessionDataTests
{
    private const string Envelope = "EHLO c.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n";

    private static async Task<(string Reply, FakeSmtpHost Host)> DataAsync(string body, SmtpListenerOptions? options = null)
    {
        var host = new FakeSmtpHost();
        string reply = await SmtpHarness.LastReplyAsync(Envelope + body, options, host);
        return (reply, host);
    }

    /// <summary>What the session stored after its own Received header: the header's first line and
    /// every continuation line (one starting with a tab or space) are skipped, whatever the date says.</summary>
    private static string Body(FakeSmtpHost host)
    {
        string message = host.LastMessage;
        Assert.StartsWith("Received: ", message, StringComparison.Ordinal);
        int end = message.IndexOf('\n') + 1;
        while (end < message.Length && (message[end] == '\t' || message[end] == ' '))
        {
            end = message.IndexOf('\n', end) + 1;
        }

        return message[end..];
    }

    [Fact]
    public async Task LeadingDotsAreUnstuffedOnce()
    {
        (string reply, FakeSmtpHost host) = await DataAsync("\r\n..\r\n...x\r\n.y\r\n.\r\n");
        Assert.Equal("250 2.0.0 1a2b3c4d Message accepted for delivery", reply);
        Assert.Equal("\n.\n..x\ny\n", Body(host));
    }

    [Fact]
    public async Task BareLfEndsALineAndBareCrIsKept()
    {
        (string reply, FakeSmtpHost host) = await DataAsync("A: 1\nB: 2\r\n\nx\ry\r\n.\r\n");
        Assert.Equal("250 2.0.0 1a2b3c4d Message accepted for delivery", reply);
        Assert.Equal("A: 1\nB: 2\n\nx\ry\n", Body(host));
    }

    [Fact]
    public async Task NulBytesInTheBodyArePassedThrough()
    {
        (_, FakeSmtpHost host) = await DataAsync("\r\na\0b\r\n.\r\n");
        Assert.Equal("\na\0b\n", Body(host));
    }

    /// <summary>The stored message is the same on every day of the week: nothing here may depend on the
    /// date the suite runs (a helper that looked for "Sun," once passed on Sundays only).</summary>
    [Theory]
    [InlineData(22)]
    [InlineData(23)]
    [InlineData(24)]
    [InlineData(25)]
    [InlineData(26)]
    [InlineData(27)]
    [InlineData(28)]
    public async Task TheStoredBodyIsTheSameOnEachWeekday(int day)
    {
        var clock = new FixedTimeProvider(new DateTimeOffset(2026, 11, day, 23, 59, 59, TimeSpan.Zero));
        await using SmtpHarness h = SmtpHarness.Start(time: clock);
        await h.SendAsync(Envelope + "Subject: s\r\n\r\n..x\r\n.\r\nQUIT\r\n");
        await h.WaitAsync();
        string weekday = clock.GetUtcNow().ToString("ddd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("\n\t" + weekday + ", " + day + " Nov 2026 23:59:59 +0000 (UTC)\n", h.Host.LastMessage, StringComparison.Ordinal);
        Assert.Equal("Subject: s\n\n.x\n", Body(h.Host));
    }

    [Theory]
    [InlineData(12, true)]
    [InlineData(11, true)]
    [InlineData(10, false)]
    public async Task TheSizeLimitCountsEachLineAndOneForItsEnd(long max, bool accepted)
    {
        // "" + "aaaa" + "aaaa": 1 + 5 + 5 = 11 bytes as OpenSMTPD counts them.
        SmtpListenerOptions options = SmtpHarness.DefaultOptions with { MaxMessageSize = max };
        (string reply, FakeSmtpHost host) = await DataAsync("\r\naaaa\r\naaaa\r\n.\r\n", options);
        Assert.Equal(accepted ? "250 2.0.0 1a2b3c4d Message accepted for delivery" : "554 5.3.4 Message too big for system: Transaction failed, message too big", reply);
        Assert.Equal(accepted ? [] : [0x1a2b3c4du], host.RolledBack);
        if (!accepted)
        {
            Assert.Contains("0123456789abcdef smtp failed-command command=\"DATA\" result=\"554 5.3.4 Message too big for system: Transaction failed, message too big\"", host.Logs);
        }
    }

    [Fact]
    public async Task AfterARefusedMessageTheSessionAcceptsTheNextOne()
    {
        SmtpListenerOptions options = SmtpHarness.DefaultOptions with { MaxMessageSize = 5 };
        (List<string> lines, _) = await SmtpHarness.TranscriptAsync(Envelope + "\r\ntoo long\r\n.\r\nMAIL FROM:<>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n\r\n.\r\n", options);
        Assert.Equal("554 5.3.4 Message too big for system: Transaction failed, message too big", SmtpHarness.SplitReplies(lines)[5][0]);
        Assert.Equal("250 2.0.0 1a2b3c4e Message accepted for delivery", lines[^1]);
    }

    [Theory]
    [InlineData(99, "250 2.0.0 1a2b3c4d Message accepted for delivery")]
    [InlineData(100, "500 5.4.6 Routing loop detected: Loop detected")]
    public async Task OneHundredReceivedHeadersMeanALoop(int hops, string reply)
    {
        string headers = string.Concat(Enumerable.Repeat("Received: from x by y;\r\n\tSun, 1 Jan 2026 00:00:00 +0000\r\n", hops));
        (string actual, _) = await DataAsync(headers + "\r\n.\r\n");
        Assert.Equal(reply, actual);
    }

    [Theory]
    [InlineData("no colon in the first line\r\n.\r\n")]
    [InlineData(" folded first line: x\r\n.\r\n")]
    [InlineData("Subject: x\r\nbody without a blank line\r\n.\r\n")]
    public async Task AHeaderSectionOpenSmtpdCannotReadIsRefused(string data)
    {
        (string reply, FakeSmtpHost host) = await DataAsync(data);
        Assert.Equal("550 5.7.1 Delivery not authorized, message refused: Message is not RFC 2822 compliant", reply);
        Assert.Equal([0x1a2b3c4du], host.RolledBack);
    }

    [Theory]
    [InlineData(".\r\n", "")]
    [InlineData("Subject: only headers\r\n.\r\n", "Subject: only headers\n")]
    [InlineData("X-A: 1\r\n\tcontinued\r\n\r\nbody\r\n.\r\n", "X-A: 1\n\tcontinued\n\nbody\n")]
    [InlineData("Odd name : value\r\n\r\n.\r\n", "Odd name : value\n\n")]
    [InlineData("BCC: a@x\r\nbcc:b@x\r\n c@x\r\nTo: d@x\r\n\r\n.\r\n", "To: d@x\n\n")]
    public async Task HeaderSectionsOpenSmtpdAccepts(string data, string stored)
    {
        (string reply, FakeSmtpHost host) = await DataAsync(data);
        Assert.Equal("250 2.0.0 1a2b3c4d Message accepted for delivery", reply);
        Assert.Equal(stored, Body(host));
    }

    [Fact]
    public async Task ALineOfTheCapEndsTheSessionAsBadInput()
    {
        (List<string> lines, FakeSmtpHost host) = await SmtpHarness.TranscriptAsync(Envelope + "\r\n" + new string('x', SmtpLineReader.MaxLineLength) + "\r\n.\r\n");
        Assert.Equal("500 5.0.0 Line too long", lines[^1]);
        Assert.Contains("0123456789abcdef smtp bad-input result=\"500 5.0.0 Line too long\"", host.Logs);
        Assert.Equal([0x1a2b3c4du], host.RolledBack);
        Assert.Equal("0123456789abcdef smtp disconnected reason=quit", host.Logs[^1]);
    }

    [Fact]
    public async Task ALongMessageLineUnderTheCapIsFine()
    {
        string line = new('x', SmtpLineReader.MaxLineLength - 2);
        (string reply, FakeSmtpHost host) = await DataAsync("\r\n" + line + "\r\n.\r\n");
        Assert.Equal("250 2.0.0 1a2b3c4d Message accepted for delivery", reply);
        Assert.Equal("\n" + line + "\n", Body(host));
    }

    [Theory]
    [InlineData(SmtpSession.MaxCommandLength - 1, "500 5.5.1 Invalid command: Command unrecognized")]
    [InlineData(SmtpSession.MaxCommandLength, "500 5.0.0 Command line too long")]
    public async Task CommandLinesAreLimitedToLineMax(int length, string reply)
    {
        (List<string> lines, FakeSmtpHost host) = await SmtpHarness.TranscriptAsync(new string('Z', length) + "\r\nNOOP\r\n");
        bool tooLong = length >= SmtpSession.MaxCommandLength;
        Assert.Equal(reply, lines[1]);
        Assert.Equal(tooLong ? 2 : 3, lines.Count);
        Assert.Equal(tooLong, host.Logs.Contains("0123456789abcdef smtp bad-input result=\"500 5.0.0 Command line too long\""));
    }
}
