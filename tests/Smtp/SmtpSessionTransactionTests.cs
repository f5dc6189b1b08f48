// Whole transactions: what the client hears, what lands in the message file, what the host is
// asked and what is logged.
using Smtpd.Ipc.Messages;
using Smtpd.Mime;
using Smtpd.Smtp;

namespace Smtpd.Tests.Smtp;

public class SmtpSessionTransactionTests
{
    private const string Received =
        "Received: from client.example (client.example.org [192.0.2.1])\n" +
        "\tby mx.example.org (OpenSMTPD) with ESMTP id 1a2b3c4d\n" +
        "\tfor <bob@example.org>;\n" +
        "\tSun, 22 Nov 2026 02:07:36 +0000 (UTC)\n";

    [Fact]
    public async Task AMessageIsAcceptedWrittenWithLfLineEndsAndLogged()
    {
        await using SmtpHarness h = SmtpHarness.Start(time: FixedTimeProvider.Default);
        Assert.Equal("220 mx.example.org ESMTP OpenSMTPD", await h.ReadReplyAsync());
        await h.ExchangeAsync("EHLO client.example");
        Assert.Equal("250 2.0.0 Ok", await h.ExchangeAsync("MAIL FROM:<alice@example.org>"));
        Assert.Equal("250 2.1.5 Destination address valid: Recipient ok", await h.ExchangeAsync("RCPT TO:<bob@example.org>"));
        Assert.Equal("354 Enter mail, end with \".\" on a line by itself", await h.ExchangeAsync("DATA"));
        await h.SendAsync("Subject: hi\r\nBcc: secret@example.org\r\n  folded-bcc@example.org\r\nTo: bob@example.org\r\n\r\nbody\r\n..dotted\r\n.\r\n");
        Assert.Equal("250 2.0.0 1a2b3c4d Message accepted for delivery", await h.ReadReplyAsync());
        Assert.Equal("221 2.0.0 Bye", await h.ExchangeAsync("QUIT"));
        await h.WaitAsync();

        Assert.Equal(Received + "Subject: hi\nTo: bob@example.org\n\nbody\n.dotted\n", h.Host.LastMessage);
        Assert.Equal([0x1a2b3c4du], h.Host.Committed);
        Assert.Empty(h.Host.RolledBack);
        Assert.True(((KeepingMemoryStream)h.Host.Opened[0].Stream).WasDisposed);
        long size = h.Host.LastMessage.Length;
        Assert.Equal(
            [
                "0123456789abcdef smtp connected address=192.0.2.1 host=client.example.org",
                $"0123456789abcdef smtp message msgid=1a2b3c4d size={size} nrcpt=1 proto=ESMTP",
                "0123456789abcdef smtp envelope evpid=1a2b3c4d00000001 from=<alice@example.org> to=<bob@example.org>",
                "0123456789abcdef smtp disconnected reason=quit",
            ],
            h.Host.Logs);
    }

    [Fact]
    public async Task TheReceivedHeaderNamesNoRecipientWhenThereAreSeveralAndSaysSmtpAfterHelo()
    {
        await using SmtpHarness h = SmtpHarness.Start(time: FixedTimeProvider.Default);
        await h.SendAsync("HELO client.example\r\nMAIL FROM:<>\r\nRCPT TO:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n\r\nx\r\n.\r\nQUIT\r\n");
        await h.WaitAsync();
        Assert.Equal(
            "Received: from client.example (client.example.org [192.0.2.1])\n\tby mx.example.org (OpenSMTPD) with SMTP id 1a2b3c4d;\n\tSun, 22 Nov 2026 02:07:36 +0000 (UTC)\n\nx\n",
            h.Host.LastMessage);
        Assert.Contains($"0123456789abcdef smtp message msgid=1a2b3c4d size={h.Host.LastMessage.Length} nrcpt=2 proto=SMTP", h.Host.Logs);
        Assert.Contains("0123456789abcdef smtp envelope evpid=1a2b3c4d00000002 from=<> to=<b@example.org>", h.Host.Logs);
    }

    [Fact]
    public async Task MaskSourceLeavesTheClientOutOfTheReceivedHeader()
    {
        SmtpListenerOptions options = SmtpHarness.DefaultOptions with { MaskSource = true };
        await using SmtpHarness h = SmtpHarness.Start(options, time: FixedTimeProvider.Default, address: "[2001:db8::7]");
        await h.SendAsync("EHLO c.example\r\nMAIL FROM:<>\r\nRCPT TO:<a@example.org>\r\nDATA\r\n.\r\nQUIT\r\n");
        await h.WaitAsync();
        Assert.StartsWith("Received: \n\tby mx.example.org (OpenSMTPD) with ESMTP id 1a2b3c4d\n\tfor <a@example.org>;\n", h.Host.LastMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnIpv6ClientIsNotBracketedTwice()
    {
        await using SmtpHarness h = SmtpHarness.Start(address: "[2001:db8::7]");
        await h.ReadReplyAsync();
        Assert.Equal("250 mx.example.org Hello c.example [2001:db8::7], pleased to meet you", await h.ExchangeAsync("HELO c.example"));
    }

    [Fact]
    public async Task ServerNameFromTheHostReplacesTheListenerHostname()
    {
        var host = new FakeSmtpHost { Identity = new SmtpClientIdentity("<unknown>", FcrdnsResult.Fail, "mail.example.net") };
        (List<string> lines, _) = await SmtpHarness.TranscriptAsync("QUIT\r\n", host: host);
        Assert.Equal(["220 mail.example.net ESMTP OpenSMTPD", "221 2.0.0 Bye"], lines);
        Assert.Equal("0123456789abcdef smtp connected address=192.0.2.1 host=<unknown>", host.Logs[0]);
    }

    [Theory]
    [InlineData((int)SmtpLookupResult.PermFail, "530 Sender rejected")]
    [InlineData((int)SmtpLookupResult.TempFail, "421 4.3.0 Temporary Error")]
    public async Task ARefusedSenderEndsTheTransactionButNotTheSession(int result, string reply)
    {
        var host = new FakeSmtpHost { SenderResult = (SmtpLookupResult)result };
        (List<string> lines, _) = await SmtpHarness.TranscriptAsync("EHLO c.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nNOOP\r\n", host: host);
        List<List<string>> replies = SmtpHarness.SplitReplies(lines);
        Assert.Equal(reply, replies[2][0]);
        Assert.Equal("503 5.5.1 Invalid command: Command not allowed at this point.", replies[3][0]);
        Assert.Equal("250 2.0.0 Ok", replies[4][0]);
    }

    [Fact]
    public async Task AFailedMessageCreationClosesTheSession()
    {
        var host = new FakeSmtpHost { CreateFails = true };
        (List<string> lines, _) = await SmtpHarness.TranscriptAsync("EHLO c.example\r\nMAIL FROM:<a@example.org>\r\nNOOP\r\n", host: host);
        Assert.Equal("421 4.3.0 Temporary Error", lines[^1]);
        Assert.Contains("0123456789abcdef smtp failed-command command=\"MAIL FROM:<a@example.org>\" result=\"421 4.3.0 Temporary Error\"", host.Logs);
        Assert.Equal("0123456789abcdef smtp disconnected reason=quit", host.Logs[^1]);
    }

    [Theory]
    [InlineData("550 Invalid recipient", "550 Invalid recipient: <bob@example.org>")]
    [InlineData("451 Temporary failure", "451 Temporary failure: <bob@example.org>")]
    [InlineData("524 5.2.4 Mailing list expansion problem", "524 5.2.4 Mailing list expansion problem: <bob@example.org>")]
    public async Task ARejectedRecipientIsAnsweredWithTheLookupReplyAndTheAddress(string lookup, string reply)
    {
        var host = new FakeSmtpHost { RecipientPolicy = _ => SmtpRecipientResult.Rejected(lookup) };
        Assert.Equal(reply, await SmtpHarness.LastReplyAsync("EHLO c.example\r\nMAIL FROM:<>\r\nRCPT TO:<bob@example.org>\r\n", host: host));
        Assert.Contains($"0123456789abcdef smtp failed-command command=\"RCPT TO:<bob@example.org>\" result=\"{reply}\"", host.Logs);
    }

    [Fact]
    public async Task AFailedEnvelopeClosesTheSession()
    {
        var host = new FakeSmtpHost { RecipientPolicy = _ => SmtpRecipientResult.EnvelopeFailed() };
        (List<string> lines, _) = await SmtpHarness.TranscriptAsync("EHLO c.example\r\nMAIL FROM:<>\r\nRCPT TO:<bob@example.org>\r\nNOOP\r\n", host: host);
        Assert.Equal("421 4.3.0 Temporary failure", lines[^1]);
        Assert.Equal([0x1a2b3c4du], host.RolledBack);
    }

    [Fact]
    public async Task DsnParametersReachTheHostAndNoDsnRefusesThem()
    {
        var host = new FakeSmtpHost();
        await SmtpHarness.TranscriptAsync("EHLO c.example\r\nMAIL FROM:<> RET=FULL ENVID=e1\r\nRCPT TO:<b@example.org> NOTIFY=FAILURE ORCPT=rfc822;b@example.org\r\n", host: host);
        Assert.Equal(new MailFromParameters(MailBody.Unspecified, DsnRet.Full, "e1"), host.Senders[0].Parameters);
        Assert.Equal(new RcptToParameters(DsnNotify.Failure, "rfc822;b@example.org"), host.RecipientsAsked[0].Parameters);

        SmtpListenerOptions noDsn = SmtpHarness.DefaultOptions with { Dsn = false };
        (List<string> lines, _) = await SmtpHarness.TranscriptAsync("EHLO c.example\r\nMAIL FROM:<> RET=FULL\r\n", noDsn);
        Assert.DoesNotContain("250-DSN", lines);
        Assert.Equal("503 5.5.4 Invalid command arguments: Unsupported option RET=FULL", lines[^1]);
    }

    [Fact]
    public async Task TheRecipientLimitIsPerTransaction()
    {
        SmtpListenerOptions options = SmtpHarness.DefaultOptions with { MaxRecipients = 2 };
        (List<string> lines, FakeSmtpHost host) = await SmtpHarness.TranscriptAsync(
            "EHLO c.example\r\nMAIL FROM:<>\r\nRCPT TO:<a@x.org>\r\nRCPT TO:<b@x.org>\r\nRCPT TO:<c@x.org>\r\nRSET\r\nMAIL FROM:<>\r\nRCPT TO:<d@x.org>\r\n", options);
        List<List<string>> replies = SmtpHarness.SplitReplies(lines);
        Assert.Equal("451 4.5.3 Too many recipients: Too many recipients", replies[5][0]);
        Assert.Equal("250 2.1.5 Destination address valid: Recipient ok", replies[^1][0]);
        Assert.Equal(3, host.RecipientsAsked.Count);

        // RSET rolls back the first message; the client leaving rolls back the second.
        Assert.Equal([0x1a2b3c4du, 0x1a2b3c4eu], host.RolledBack);
    }

    [Fact]
    public async Task TheMessageLimitIsPerSession()
    {
        SmtpListenerOptions options = SmtpHarness.DefaultOptions with { MaxMails = 1 };
        string tx = "MAIL FROM:<>\r\nRCPT TO:<a@x.org>\r\nDATA\r\n\r\n.\r\n";
        (List<string> lines, _) = await SmtpHarness.TranscriptAsync("EHLO c.example\r\n" + tx + tx, options);
        Assert.Equal("250 2.0.0 1a2b3c4d Message accepted for delivery", SmtpHarness.SplitReplies(lines)[5][0]);
        Assert.Equal("452 4.5.3 Too many recipients: Too many messages sent", SmtpHarness.SplitReplies(lines)[6][0]);
    }

    [Theory]
    [InlineData(true, false, "530 5.5.1 Invalid command: Must issue a STARTTLS command first")]
    [InlineData(false, true, "530 5.5.1 Invalid command: Must issue an AUTH command first")]
    public async Task RequiredTlsOrAuthIsCheckedAtMailFrom(bool tls, bool auth, string reply)
    {
        SmtpListenerOptions options = SmtpHarness.DefaultOptions with { StartTls = tls, StartTlsRequired = tls, Auth = auth, AuthRequired = auth };
        Assert.Equal(reply, await SmtpHarness.LastReplyAsync("EHLO c.example\r\nMAIL FROM:<>\r\n", options));
    }

    [Fact]
    public async Task TheLocalListenerTrustsItsClientsAsAuthenticated()
    {
        SmtpListenerOptions options = SmtpHarness.DefaultOptions with { Local = true, AuthRequired = true };
        var host = new FakeSmtpHost { Identity = new SmtpClientIdentity("localhost", FcrdnsResult.Pass) };
        await using SmtpHarness h = SmtpHarness.Start(options, host, address: "local", time: FixedTimeProvider.Default);
        await h.SendAsync("EHLO localhost\r\nMAIL FROM:<>\r\nRCPT TO:<a@x.org>\r\nDATA\r\n.\r\nQUIT\r\n");
        await h.WaitAsync();
        Assert.StartsWith("Received: from localhost (localhost [local])\n\tby mx.example.org (OpenSMTPD) with ESMTPA id 1a2b3c4d\n", host.LastMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RsetRollsBackACreatedMessage()
    {
        (List<string> lines, FakeSmtpHost host) = await SmtpHarness.TranscriptAsync("EHLO c.example\r\nMAIL FROM:<>\r\nRSET\r\nMAIL FROM:<>\r\n");
        Assert.Equal("250 2.0.0 Ok", lines[^1]);
        Assert.Equal([0x1a2b3c4du, 0x1a2b3c4eu], host.RolledBack);
    }

    [Fact]
    public async Task AClientLeavingInTheMiddleOfDataRollsBack()
    {
        (_, FakeSmtpHost host) = await SmtpHarness.TranscriptAsync("EHLO c.example\r\nMAIL FROM:<>\r\nRCPT TO:<a@x.org>\r\nDATA\r\nSubject: half\r\n");
        Assert.Equal([0x1a2b3c4du], host.RolledBack);
        Assert.Empty(host.Committed);
        Assert.True(((KeepingMemoryStream)host.Opened[0].Stream).WasDisposed);
        Assert.Equal("0123456789abcdef smtp disconnected reason=disconnect", host.Logs[^1]);
    }

    [Fact]
    public async Task AFailedOpenOrCommitCostsTheSession()
    {
        string tx = "EHLO c.example\r\nMAIL FROM:<>\r\nRCPT TO:<a@x.org>\r\nDATA\r\n.\r\nNOOP\r\n";
        (List<string> open, _) = await SmtpHarness.TranscriptAsync(tx, host: new FakeSmtpHost { OpenFails = true });
        Assert.Equal("421 4.3.0 Temporary Error", open[^1]);
        (List<string> commit, FakeSmtpHost host) = await SmtpHarness.TranscriptAsync(tx, host: new FakeSmtpHost { CommitFails = true });
        Assert.Equal("421 4.3.0 Temporary failure", commit[^1]);
        Assert.Empty(host.RolledBack);
    }
}
