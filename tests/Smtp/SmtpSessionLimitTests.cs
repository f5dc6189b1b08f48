// What one client may cost: errors before 421, and the deadlines on each command line and on
// the whole message, however slowly the bytes come.
namespace Smtpd.Tests.Smtp;

public class SmtpSessionLimitTests
{
    private const string TooManyErrors = "421 4.7.0 mx.example.org Too many errors, closing connection";

    [Fact]
    public async Task TheTwentiethErrorIsFollowedBy421AndTheEnd()
    {
        string input = string.Concat(Enumerable.Repeat("FOO\r\n", 100));
        (List<string> lines, FakeSmtpHost host) = await SmtpHarness.TranscriptAsync(input);

        // The banner, twenty refusals, the 421: the rest of the pipelined input is never read.
        Assert.Equal(22, lines.Count);
        Assert.All(lines.Skip(1).Take(20), l => Assert.StartsWith("500 5.5.1 Invalid command", l, StringComparison.Ordinal));
        Assert.Equal(TooManyErrors, lines[^1]);
        Assert.Equal("0123456789abcdef smtp disconnected reason=too-many-errors", host.Logs[^1]);
        Assert.True(host.Logs.Count <= 23, $"{host.Logs.Count} log lines");
    }

    [Fact]
    public async Task TheErrorLimitIsConfigurable()
    {
        var options = SmtpHarness.DefaultOptions with { MaxErrors = 3 };
        (List<string> lines, _) = await SmtpHarness.TranscriptAsync("EHLO c.example\r\nFOO\r\nMAIL FROM:<bad\r\nRCPT TO:<x@y>\r\nNOOP\r\n", options);
        Assert.Equal(TooManyErrors, lines[^1]);
        Assert.DoesNotContain(lines, l => l.StartsWith("250 2.0.0 Ok", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FewerErrorsThanTheLimitLeaveTheSessionAlone()
    {
        string input = string.Concat(Enumerable.Repeat("FOO\r\n", 19)) + "NOOP\r\n";
        (List<string> lines, FakeSmtpHost host) = await SmtpHarness.TranscriptAsync(input);
        Assert.Equal("250 2.0.0 Ok", lines[^1]);
        Assert.Equal("0123456789abcdef smtp disconnected reason=disconnect", host.Logs[^1]);
    }

    [Fact]
    public async Task ACommandTrickledByteByByteIsCutOffAtTheCommandDeadline()
    {
        var clock = new ManualTimeProvider();
        await using SmtpHarness h = SmtpHarness.Start(time: clock);
        await h.ReadReplyAsync();
        Assert.Equal("250 2.0.0 Ok", await h.ExchangeAsync("NOOP"));

        // A byte a minute keeps the connection from being idle but never completes a line.
        foreach (char c in "NOO")
        {
            await h.SendAsync(c.ToString());
            clock.Advance(TimeSpan.FromMinutes(1));
        }

        clock.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));
        await h.WaitAsync();
        Assert.Equal("0123456789abcdef smtp disconnected reason=timeout", h.Host.Logs[^1]);
    }

    [Fact]
    public async Task EachCompleteCommandGetsAFreshDeadline()
    {
        var clock = new ManualTimeProvider();
        await using SmtpHarness h = SmtpHarness.Start(time: clock);
        await h.ReadReplyAsync();
        for (int i = 0; i < 5; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(4));
            Assert.Equal("250 2.0.0 Ok", await h.ExchangeAsync("NOOP"));
        }

        Assert.False(h.Running.IsCompleted);
    }

    /// <summary>A session with a ten-minute DATA deadline, just answered 354.</summary>
    private static async Task<SmtpHarness> InDataAsync(ManualTimeProvider clock)
    {
        var options = SmtpHarness.DefaultOptions with { DataTimeout = TimeSpan.FromMinutes(10) };
        SmtpHarness h = SmtpHarness.Start(options, time: clock);
        await h.ReadReplyAsync();
        await h.ExchangeAsync("EHLO c.example");
        await h.ExchangeAsync("MAIL FROM:<a@example.org>");
        await h.ExchangeAsync("RCPT TO:<b@example.org>");
        Assert.StartsWith("354 ", await h.ExchangeAsync("DATA"), StringComparison.Ordinal);
        return h;
    }

    [Fact]
    public async Task TheWholeMessageMustArriveWithinTheDataDeadline()
    {
        var clock = new ManualTimeProvider();
        await using SmtpHarness h = await InDataAsync(clock);

        // A line a minute: never idle for long, and still cut off after ten minutes in all.
        for (int i = 0; i < 9; i++)
        {
            await h.SendLineAsync("line " + i);
            clock.Advance(TimeSpan.FromMinutes(1));
            Assert.False(h.Running.IsCompleted);
        }

        await h.SendLineAsync("late line");
        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await h.WaitAsync();
        Assert.Equal("0123456789abcdef smtp disconnected reason=timeout", h.Host.Logs[^1]);
        Assert.Empty(h.Host.Committed);
    }

    [Fact]
    public async Task AfterTheMessageTheCommandDeadlineAppliesAgain()
    {
        var clock = new ManualTimeProvider();
        await using SmtpHarness h = await InDataAsync(clock);
        clock.Advance(TimeSpan.FromMinutes(9));
        Assert.StartsWith("250 ", await h.ExchangeAsync("Subject: x\r\n\r\nbody\r\n."), StringComparison.Ordinal);
        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal("250 2.0.0 Ok", await h.ExchangeAsync("NOOP"));
    }
}
