// PIPELINING (RFC 2920), SMTP smuggling, volume, and random input.
using Smtpd.Smtp;

namespace Smtpd.Tests.Smtp;

public class SmtpSessionPipeliningTests
{
    private static List<string> Codes(List<string> lines) => SmtpHarness.SplitReplies(lines).Select(r => r[^1][..3]).ToList();

    [Fact]
    public async Task AWholeSessionInOneWriteGetsEveryReplyInOrder()
    {
        string input =
            "EHLO c.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<nobody@example.org>\r\nRCPT TO:<c@example.org>\r\nDATA\r\n" +
            "Subject: one\r\n\r\nfirst\r\n.\r\n" +
            "MAIL FROM:<>\r\nRCPT TO:<d@example.org>\r\nDATA\r\nSubject: two\r\n\r\nsecond\r\n.\r\nNOOP\r\nQUIT\r\n";
        var host = new FakeSmtpHost { RecipientPolicy = a => a.User == "nobody" ? SmtpRecipientResult.Rejected("550 Invalid recipient") : SmtpRecipientResult.Accepted(7) };
        (List<string> lines, _) = await SmtpHarness.TranscriptAsync(input, host: host);
        Assert.Equal(["220", "250", "250", "250", "550", "250", "354", "250", "250", "250", "354", "250", "250", "221"], Codes(lines));
        Assert.Equal("250 2.0.0 1a2b3c4d Message accepted for delivery", lines[^7]);
        Assert.Equal("250 2.0.0 1a2b3c4e Message accepted for delivery", lines[^3]);
        Assert.Equal([0x1a2b3c4du, 0x1a2b3c4eu], host.Committed);
    }

    [Fact]
    public async Task RepliesToAPipelinedGroupArriveBeforeTheClientSendsMore()
    {
        // The client must not have to send more to get the answers to what it already sent.
        await using SmtpHarness h = SmtpHarness.Start();
        await h.ReadReplyAsync();
        await h.SendAsync("EHLO c.example\r\nMAIL FROM:<>\r\nRCPT TO:<a@example.org>\r\nDATA\r\n");
        Assert.StartsWith("250-mx.example.org", await h.ReadReplyAsync(), StringComparison.Ordinal);
        Assert.Equal("250 2.0.0 Ok", await h.ReadReplyAsync());
        Assert.Equal("250 2.1.5 Destination address valid: Recipient ok", await h.ReadReplyAsync());
        Assert.Equal("354 Enter mail, end with \".\" on a line by itself", await h.ReadReplyAsync());
    }

    [Fact]
    public async Task EhloAdvertisesPipelining()
    {
        (List<string> lines, _) = await SmtpHarness.TranscriptAsync("EHLO c.example\r\n");
        Assert.Contains("250-PIPELINING", lines);
    }

    public static TheoryData<string, string> SmugglingSequences => new()
    {
        { "\\n.\\n", "\n.\n" },
        { "\\n.\\r\\n", "\n.\r\n" },
        { "\\r.\\r\\n", "\r.\r\n" },
        { "\\r\\n.\\n", "\r\n.\n" },
        { "\\r\\n.\\r\\r\\n", "\r\n.\r\r\n" },
        { "\\r\\n.\\r", "\r\n.\r" },
        { "\\r\\n\\x00.\\r\\n", "\r\n\0.\r\n" },
    };

    [Theory]
    [MemberData(nameof(SmugglingSequences))]
    public async Task OnlyCrLfDotCrLfEndsTheData(string name, string sequence)
    {
        Assert.NotEmpty(name);
        string input =
            "EHLO c.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nSubject: s\r\n\r\nbody" + sequence +
            "MAIL FROM:<evil@example.org>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\nsmuggled\r\n.\r\nQUIT\r\n";
        (List<string> lines, FakeSmtpHost host) = await SmtpHarness.TranscriptAsync(input);
        Assert.Equal(["220", "250", "250", "250", "354", "250", "221"], Codes(lines));
        Assert.Single(host.Senders);
        Assert.DoesNotContain(host.RecipientsAsked, r => r.Address.User == "victim");
        Assert.Contains("MAIL FROM:<evil@example.org>\n", host.LastMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABareLfDotLineIsStoredAsAnEmptyLine()
    {
        (_, FakeSmtpHost host) = await SmtpHarness.TranscriptAsync(
            "EHLO c.example\r\nMAIL FROM:<>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n\r\nbody\n.\nafter\r\n.\r\n");
        Assert.EndsWith("\nbody\n\nafter\n", host.LastMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OneThousandRecipientsFitAndTheNextIsRefused()
    {
        var input = new System.Text.StringBuilder("EHLO c.example\r\nMAIL FROM:<a@example.org>\r\n");
        for (int i = 0; i <= 1000; i++)
        {
            input.Append("RCPT TO:<user").Append(i).Append("@example.org>\r\n");
        }

        input.Append("DATA\r\n\r\nhello\r\n.\r\nQUIT\r\n");
        (List<string> lines, FakeSmtpHost host) = await SmtpHarness.TranscriptAsync(input.ToString());
        List<string> codes = Codes(lines);
        Assert.Equal(1000, codes.Skip(3).Take(1000).Count(c => c == "250"));
        Assert.Equal("451 4.5.3 Too many recipients: Too many recipients", lines[^4]);
        Assert.Equal(["354", "250", "221"], codes[^3..]);
        Assert.Equal(1000, host.RecipientsAsked.Count);
        Assert.Contains("0123456789abcdef smtp message msgid=1a2b3c4d size=" + host.LastMessage.Length + " nrcpt=1000 proto=ESMTP", host.Logs);
        Assert.Equal(1000, host.Logs.Count(l => l.Contains(" smtp envelope evpid=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task FiftyMegabytesStreamThroughWithBoundedMemory()
    {
        const long total = 50L * 1024 * 1024;
        var stream = new CountingStream();
        var host = new FakeSmtpHost { MessageStreamFactory = () => stream };
        SmtpListenerOptions options = SmtpHarness.DefaultOptions with { MaxMessageSize = 64L * 1024 * 1024 };
        await using SmtpHarness h = SmtpHarness.Start(options, host);
        await h.ReadReplyAsync();
        await h.SendAsync("EHLO c.example\r\nMAIL FROM:<>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
        for (int i = 0; i < 4; i++)
        {
            await h.ReadReplyAsync();
        }

        byte[] chunk = System.Text.Encoding.ASCII.GetBytes("\r\n" + string.Concat(Enumerable.Repeat(new string('x', 1022) + "\r\n", 64))[..^2]);
        long sent = 0;
        long maxLag = 0;
        while (sent < total)
        {
            await h.SendAsync(System.Text.Encoding.Latin1.GetString(chunk));
            sent += chunk.Length;
            maxLag = Math.Max(maxLag, sent - stream.Count);
        }

        Assert.Equal("250 2.0.0 1a2b3c4d Message accepted for delivery", await h.ExchangeAsync("\r\n."));

        // The session held at most a few pipe segments and its 64 KB output buffer at any time.
        Assert.True(maxLag < 1024 * 1024, $"session fell {maxLag} bytes behind the client");
        Assert.True(stream.LargestWrite <= 160 * 1024, $"largest write {stream.LargestWrite}");
        Assert.True(stream.Count > total / 1024 * 1023, $"only {stream.Count} bytes stored");
        Assert.Equal('\n', stream.LastByte);
    }

    [Fact]
    public async Task RandomInputNeverThrowsAndAlwaysEndsInAReplyOrDisconnect()
    {
        var random = new Random(2920);
        string[] tokens =
        [
            "EHLO c.example\r\n", "HELO x\r\n", "MAIL FROM:<a@b.c>\r\n", "MAIL FROM:<>\r\n", "RCPT TO:<d@e.f>\r\n", "DATA\r\n", ".\r\n",
            "\r\n.\r\n", "RSET\r\n", "NOOP\r\n", "AUTH PLAIN\r\n", "AUTH LOGIN\r\n", "STARTTLS\r\n", "\n", "\r", ".", "..", "Received: x\r\n", "QUIT\r\n",
        ];
        SmtpListenerOptions options = SmtpHarness.DefaultOptions with { StartTls = true, Auth = true, MaxMessageSize = 4096 };
        for (int round = 0; round < 300; round++)
        {
            var input = new System.Text.StringBuilder();
            int pieces = random.Next(1, 40);
            for (int i = 0; i < pieces; i++)
            {
                if (random.Next(3) == 0)
                {
                    byte[] noise = new byte[random.Next(1, 64)];
                    random.NextBytes(noise);
                    input.Append(System.Text.Encoding.Latin1.GetString(noise));
                }
                else
                {
                    input.Append(tokens[random.Next(tokens.Length)]);
                }
            }

            (List<string> lines, FakeSmtpHost host) = await SmtpHarness.TranscriptAsync(input.ToString(), options);
            Assert.NotEmpty(lines);
            Assert.All(lines, l => Assert.Matches("^[2-5][0-9][0-9][ -]", l));
            Assert.StartsWith("0123456789abcdef smtp disconnected reason=", host.Logs[^1], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task InputArrivingOneByteAtATimeGetsTheSameRepliesAndMessage()
    {
        string input = "EHLO c.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nSubject: s\r\n\r\n..x\r\nbody\n.\n\r\n.\r\nQUIT\r\n";
        (List<string> expected, FakeSmtpHost whole) = await SmtpHarness.TranscriptAsync(input);

        await using SmtpHarness h = SmtpHarness.Start();
        foreach (char c in input)
        {
            await h.SendAsync(c.ToString());
        }

        await h.CloseAsync();
        await h.WaitAsync();
        Assert.Equal(expected, await h.ReadAllLinesAsync());
        Assert.Equal(whole.LastMessage[whole.LastMessage.IndexOf("\nSubject", StringComparison.Ordinal)..], h.Host.LastMessage[h.Host.LastMessage.IndexOf("\nSubject", StringComparison.Ordinal)..]);
    }
}
