// Greeting, traces, timeouts and the way a session ends.
namespace Smtpd.Tests.Smtp;

public class SmtpSessionLifecycleTests
{
    [Fact]
    public async Task TheBannerNamesTheHostAndOpenSmtpd()
    {
        (List<string> lines, _) = await SmtpHarness.TranscriptAsync(string.Empty);
        Assert.Equal(["220 mx.example.org ESMTP OpenSMTPD"], lines);
    }

    [Fact]
    public async Task QuitIsAnsweredAndTheConnectionClosed()
    {
        await using SmtpHarness h = SmtpHarness.Start();
        await h.ReadReplyAsync();
        Assert.Equal("221 2.0.0 Bye", await h.ExchangeAsync("QUIT"));
        Assert.Null(await h.ReadLineAsync());
        await h.WaitAsync();
        Assert.Equal("0123456789abcdef smtp disconnected reason=quit", h.Host.Logs[^1]);
    }

    [Fact]
    public async Task InputAfterQuitIsIgnored()
    {
        (List<string> lines, _) = await SmtpHarness.TranscriptAsync("QUIT\r\nNOOP\r\nNOOP\r\n");
        Assert.Equal(["220 mx.example.org ESMTP OpenSMTPD", "221 2.0.0 Bye"], lines);
    }

    [Fact]
    public async Task CancellingTheTokenIsTheSessionTimeout()
    {
        await using SmtpHarness h = SmtpHarness.Start();
        await h.ReadReplyAsync();
        h.TimeOut();
        await h.WaitAsync();
        Assert.Equal("0123456789abcdef smtp disconnected reason=timeout", h.Host.Logs[^1]);
        Assert.Equal(TimeSpan.FromMinutes(5), Smtpd.Smtp.SmtpSession.SessionTimeout);
    }

    [Fact]
    public async Task StateChangesAndLinesAreTraced()
    {
        (_, FakeSmtpHost host) = await SmtpHarness.TranscriptAsync("EHLO c.example\r\nQUIT\r\n");
        Assert.Equal(
            [
                "smtp: 0123456789abcdef: STATE_NEW -> STATE_CONNECTED",
                "smtp: 0123456789abcdef: >>> 220 mx.example.org ESMTP OpenSMTPD",
                "smtp: 0123456789abcdef: <<< EHLO c.example",
                "smtp: 0123456789abcdef: STATE_CONNECTED -> STATE_HELO",
            ],
            host.Traces.Take(4));
        Assert.Contains("smtp: 0123456789abcdef: STATE_HELO -> STATE_QUIT", host.Traces);
    }

    [Fact]
    public async Task NothingIsTracedWhenTracingIsOff()
    {
        var host = new FakeSmtpHost { TraceEnabled = false };
        await SmtpHarness.TranscriptAsync("EHLO c.example\r\nQUIT\r\n", host: host);
        Assert.Empty(host.Traces);
    }

    [Fact]
    public async Task FailedCommandsAreLoggedWithTheCommandMadeVisible()
    {
        (_, FakeSmtpHost host) = await SmtpHarness.TranscriptAsync("FOO\x01\\\t\"bar\"\r\n");
        Assert.Contains("0123456789abcdef smtp failed-command command=\"FOO\\^A\\\\\t\"bar\"\" result=\"500 5.5.1 Invalid command: Command unrecognized\"", host.Logs);
    }

    [Fact]
    public async Task ACommandLineEndsAtItsFirstNul()
    {
        Assert.Equal("250 2.0.0 Ok", await SmtpHarness.LastReplyAsync("NOOP\0 trailing junk\r\n"));
        Assert.Equal(
            "250 mx.example.org Hello c.example [192.0.2.1], pleased to meet you",
            await SmtpHarness.LastReplyAsync("HELO c.example\0.evil\r\n"));
    }

    [Fact]
    public async Task OverlongRepliesAreCutAtLineMaxTimesTwo()
    {
        var host = new FakeSmtpHost { RecipientPolicy = _ => Smtpd.Smtp.SmtpRecipientResult.Rejected("550 " + new string('o', 5000)) };
        string reply = await SmtpHarness.LastReplyAsync("EHLO c.example\r\nMAIL FROM:<>\r\nRCPT TO:<b@example.org>\r\n", host: host);
        Assert.Equal(Smtpd.Smtp.SmtpSession.MaxReplyLength, reply.Length);
        Assert.StartsWith("550 ooo", reply, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AClientThatStopsReadingEndsTheSession()
    {
        await using SmtpHarness h = SmtpHarness.Start();
        await h.ReadReplyAsync();
        await h.StopReadingAsync();
        await h.SendLineAsync("NOOP");
        await h.WaitAsync();
        Assert.Equal("0123456789abcdef smtp disconnected reason=disconnect", h.Host.Logs[^1]);
    }

    [Fact]
    public async Task AHostFailureStillRollsBackAndLogsTheEndBeforeItSurfaces()
    {
        var host = new FakeSmtpHost { RecipientPolicy = _ => throw new InvalidOperationException("boom") };
        await using SmtpHarness h = SmtpHarness.Start(host: host);
        await h.SendAsync("EHLO c.example\r\nMAIL FROM:<>\r\nRCPT TO:<a@example.org>\r\n");
        await Assert.ThrowsAsync<InvalidOperationException>(h.WaitAsync);
        Assert.Equal([0x1a2b3c4du], host.RolledBack);
        Assert.Equal("0123456789abcdef smtp disconnected reason=\"io-error: boom\"", host.Logs[^1]);
    }
}
