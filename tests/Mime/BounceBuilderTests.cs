using System.Text;
using Smtpd.Mime;

namespace Smtpd.Tests.Mime;

public class BounceBuilderTests
{
    private const string Original =
        "Received: from client (client [192.0.2.1])\n" +
        "\tby mx.example.org with ESMTP id 1234\n" +
        "From: Alice <alice@example.org>\n" +
        "To: bob@example.net, carol@example.net\n" +
        "Subject: Lunch\n" +
        "Message-ID: <abc@example.org>\n" +
        "\n" +
        "Hi Bob,\n" +
        ".dot line\n" +
        "From here on\n" +
        "bye\n";

    private static readonly DateTimeOffset Arrival = new(2026, 11, 20, 9, 30, 0, TimeSpan.FromHours(1));
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 2, 7, 36, TimeSpan.Zero);

    private static BounceRecipient Bob => new()
    {
        FinalRecipient = "bob@example.net",
        OriginalRecipient = "rfc822;bob+2Btag@example.net",
        Status = new EnhancedStatus(EnhancedStatusClass.PermFail, 1, 1),
        RemoteMta = "mx1.example.net",
        DiagnosticCode = "550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown in virtual mailbox table",
        LastAttemptDate = Now,
    };

    private static BounceRecipient Carol => new()
    {
        FinalRecipient = "carol@example.net",
        Status = new EnhancedStatus(EnhancedStatusClass.PermFail, 2, 2),
        ErrorLine = "552 5.2.2 Mailbox full",
        DiagnosticCode = "552 5.2.2 Mailbox full",
        RemoteMta = "mx1.example.net",
    };

    private static BounceReport Report(BounceType type, DsnRet ret = DsnRet.Headers, params BounceRecipient[] rcpts) => new()
    {
        Type = type,
        ReportingMta = "mx.example.org",
        To = "alice@example.org",
        Date = Now,
        ArrivalDate = Arrival,
        EnvelopeId = "QQ+2B314",
        Return = ret,
        Delay = TimeSpan.FromHours(4.5),
        Expiry = TimeSpan.FromDays(4),
        Recipients = rcpts.Length == 0 ? [Bob, Carol] : rcpts,
        Boundary = "=_0123456789abcdef/mx.example.org",
        MessageId = "<0123456789abcdef@mx.example.org>",
    };

    private static async Task<(string Text, BounceResult Result)> BuildAsync(BounceReport report, string original = Original, bool seekable = true)
    {
        Stream source = new MemoryStream(Encoding.Latin1.GetBytes(original));
        if (!seekable)
        {
            source = new NonSeekable(source);
        }

        var output = new MemoryStream();
        var result = await BounceBuilder.WriteAsync(report, source, output);
        Assert.Equal(output.Length, result.Bytes);
        return (Encoding.Latin1.GetString(output.ToArray()), result);
    }

    [Fact]
    public async Task FailureReportHasTheThreeParts()
    {
        var (text, result) = await BuildAsync(Report(BounceType.Failed));
        Assert.False(result.EightBit);
        var msg = MimeReader.Parse(text);

        Assert.Equal("Mailer Daemon <MAILER-DAEMON@mx.example.org>", msg.Header("From"));
        Assert.Equal("alice@example.org", msg.Header("To"));
        Assert.Equal("Delivery status notification: failed", msg.Header("Subject"));
        Assert.Equal("Sun, 22 Nov 2026 02:07:36 +0000", msg.Header("Date"));
        Assert.Equal("<0123456789abcdef@mx.example.org>", msg.Header("Message-ID"));
        Assert.Equal("auto-replied", msg.Header("Auto-Submitted"));
        Assert.Equal("1.0", msg.Header("MIME-Version"));
        Assert.Equal("multipart/report", msg.ContentType);
        Assert.Equal("delivery-status", msg.Parameter("report-type"));
        Assert.Null(msg.Header("Content-Transfer-Encoding"));
        Assert.Equal(3, msg.Parts.Count);

        var notice = msg.Parts[0];
        Assert.Equal("text/plain", notice.ContentType);
        Assert.Equal("us-ascii", notice.Parameter("charset"));
        Assert.Contains("bob@example.net: 550 5.1.1 <bob@example.net>: Recipient address rejected", notice.Body, StringComparison.Ordinal);
        Assert.Contains("carol@example.net: 552 5.2.2 Mailbox full\r\n", notice.Body, StringComparison.Ordinal);
        Assert.Contains("header of the original message", notice.Body, StringComparison.Ordinal);

        var report = msg.Parts[1];
        Assert.Equal("message/delivery-status", report.ContentType);
        var groups = MimeReader.DeliveryStatusGroups(report.Body);
        Assert.Equal(3, groups.Count);
        Assert.Equal("dns; mx.example.org", groups[0].Header("Reporting-MTA"));
        Assert.Equal("QQ+314", groups[0].Header("Original-Envelope-Id"));
        Assert.Equal("Fri, 20 Nov 2026 09:30:00 +0100", groups[0].Header("Arrival-Date"));

        Assert.Equal("rfc822; bob@example.net", groups[1].Header("Final-Recipient"));
        Assert.Equal("rfc822; bob+tag@example.net", groups[1].Header("Original-Recipient"));
        Assert.Equal("failed", groups[1].Header("Action"));
        Assert.Equal("5.1.1", groups[1].Header("Status"));
        Assert.Equal("dns; mx1.example.net", groups[1].Header("Remote-MTA"));
        Assert.Equal("smtp; 550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown in virtual mailbox table", groups[1].Header("Diagnostic-Code"));
        Assert.Equal("Sun, 22 Nov 2026 02:07:36 +0000", groups[1].Header("Last-Attempt-Date"));
        Assert.Null(groups[1].Header("Will-Retry-Until"));

        Assert.Equal("rfc822; carol@example.net", groups[2].Header("Final-Recipient"));
        Assert.Null(groups[2].Header("Original-Recipient"));
        Assert.Equal("5.2.2", groups[2].Header("Status"));

        var headers = msg.Parts[2];
        Assert.Equal("text/rfc822-headers", headers.ContentType);
        var original = MimeReader.Parse(headers.Body);
        Assert.Equal("Lunch", original.Header("Subject"));
        Assert.Equal("from client (client [192.0.2.1])\tby mx.example.org with ESMTP id 1234", original.Header("Received"));
        Assert.DoesNotContain("Hi Bob", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FullReturnCarriesTheWholeMessage()
    {
        var (text, _) = await BuildAsync(Report(BounceType.Failed, DsnRet.Full));
        var msg = MimeReader.Parse(text);
        var attached = msg.Parts[2];
        Assert.Equal("message/rfc822", attached.ContentType);
        Assert.Equal(Original.Replace("\n", "\r\n", StringComparison.Ordinal), attached.Body);
        Assert.Contains("original message is attached", msg.Parts[0].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FullReturnOnlyAppliesToFailures()
    {
        var (text, _) = await BuildAsync(Report(BounceType.Delayed, DsnRet.Full));
        Assert.Equal("text/rfc822-headers", MimeReader.Parse(text).Parts[2].ContentType);
    }

    [Fact]
    public async Task DelayWarningSaysHowLongAndUntilWhen()
    {
        var (text, _) = await BuildAsync(Report(BounceType.Delayed));
        var msg = MimeReader.Parse(text);
        Assert.Equal("Delivery status notification: delayed", msg.Header("Subject"));
        Assert.Contains("more than 4 hours", msg.Parts[0].Body, StringComparison.Ordinal);
        Assert.Contains("for up to 4 days", msg.Parts[0].Body, StringComparison.Ordinal);
        var groups = MimeReader.DeliveryStatusGroups(msg.Parts[1].Body);
        Assert.All(groups.Skip(1), g => Assert.Equal("delayed", g.Header("Action")));
        Assert.Equal("Tue, 24 Nov 2026 09:30:00 +0100", groups[1].Header("Will-Retry-Until"));
    }

    [Theory]
    [InlineData((int)BounceType.Delivered, "delivered")]
    [InlineData((int)BounceType.Relayed, "relayed")]
    public async Task SuccessNotices(int kind, string action)
    {
        var type = (BounceType)kind;
        var ok = new BounceRecipient { FinalRecipient = "bob@example.net", Status = new EnhancedStatus(EnhancedStatusClass.Success, 0, 0), DiagnosticCode = "250 2.0.0 Ok: queued as 4F" };
        var (text, _) = await BuildAsync(Report(type, DsnRet.Full, ok));
        var msg = MimeReader.Parse(text);
        Assert.Equal("Delivery status notification: " + action, msg.Header("Subject"));
        var groups = MimeReader.DeliveryStatusGroups(msg.Parts[1].Body);
        Assert.Equal(action, groups[1].Header("Action"));
        Assert.Equal("2.0.0", groups[1].Header("Status"));
        Assert.Equal("text/rfc822-headers", msg.Parts[2].ContentType);
    }

    [Fact]
    public async Task EightBitHeadersAreLabelledAndTheRestStaysAscii()
    {
        string original = "Subject: caf\u00e9\nFrom: a@example.org\n\nbody \u00ff\n";
        var bob = Bob with { DiagnosticCode = "550 5.1.1 unknown \u00e9\u0001user" };
        var (text, result) = await BuildAsync(Report(BounceType.Failed, DsnRet.Headers, bob), original);
        Assert.True(result.EightBit);
        var msg = MimeReader.Parse(text);
        Assert.Equal("8bit", msg.Header("Content-Transfer-Encoding"));
        Assert.Equal("8bit", msg.Parts[2].Header("Content-Transfer-Encoding"));
        Assert.Equal("Subject: caf\u00e9\r\nFrom: a@example.org\r\n", msg.Parts[2].Body);
        string firstParts = msg.Parts[0].Body + msg.Parts[1].Body;
        Assert.All(firstParts, c => Assert.True(c is '\r' or '\n' || (c >= ' ' && c <= '~'), "non-ASCII in a 7-bit part"));
        Assert.Contains("smtp; 550 5.1.1 unknown ??user", msg.Parts[1].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EightBitBodyMakesAFullReturn8Bit()
    {
        var (_, headersOnly) = await BuildAsync(Report(BounceType.Failed), "Subject: x\n\nbody \u00ff\n");
        Assert.False(headersOnly.EightBit);
        var (_, full) = await BuildAsync(Report(BounceType.Failed, DsnRet.Full), "Subject: x\n\nbody \u00ff\n");
        Assert.True(full.EightBit);
        // A source that cannot be rewound is read into memory first, so its label is what its bytes are.
        var (_, unseen7) = await BuildAsync(Report(BounceType.Failed, DsnRet.Full), "Subject: x\n\nbody\n", seekable: false);
        Assert.False(unseen7.EightBit);
        var (_, unseen8) = await BuildAsync(Report(BounceType.Failed, DsnRet.Full), "Subject: x\n\nbody \u00ff\n", seekable: false);
        Assert.True(unseen8.EightBit);
    }

    [Fact]
    public async Task HeaderOnlyReadStopsAtTheEmptyLine()
    {
        var source = new CountingStream(Encoding.ASCII.GetBytes("Subject: x\n\n" + new string('b', 10_000_000)));
        var output = new MemoryStream();
        await BounceBuilder.WriteAsync(Report(BounceType.Failed), source, output);
        Assert.True(source.BytesRead < 100_000, $"read {source.BytesRead} bytes");
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("Subject: no body", "Subject: no body\r\n")]
    [InlineData("Subject: crlf\r\nX: y\r\n\r\nbody\r\n", "Subject: crlf\r\nX: y\r\n")]
    [InlineData("\nbody only\n", "")]
    public async Task OddOriginalsStillMakeWellFormedReports(string original, string expectedHeader)
    {
        var (text, _) = await BuildAsync(Report(BounceType.Failed), original);
        Assert.Equal(expectedHeader, MimeReader.Parse(text).Parts[2].Body);
        var (full, _) = await BuildAsync(Report(BounceType.Failed, DsnRet.Full), original);
        Assert.Equal(3, MimeReader.Parse(full).Parts.Count);
    }

    [Fact]
    public async Task LongDiagnosticIsFoldedAndReadsBackTheSame()
    {
        string reply = "550 5.7.1 " + string.Join(' ', Enumerable.Repeat("policy-word", 30));
        var (text, _) = await BuildAsync(Report(BounceType.Failed, DsnRet.Headers, Bob with { DiagnosticCode = reply }));
        var body = MimeReader.Parse(text).Parts[1].Body;
        Assert.All(body.Split("\r\n"), line => Assert.True(line.Length <= 78, line));
        Assert.Equal("smtp; " + reply, MimeReader.DeliveryStatusGroups(body)[1].Header("Diagnostic-Code"));
    }

    [Fact]
    public async Task GeneratedBoundaryAndMessageIdAreUsable()
    {
        var (text, _) = await BuildAsync(Report(BounceType.Failed) with { Boundary = null, MessageId = null });
        var msg = MimeReader.Parse(text);
        Assert.Equal(3, msg.Parts.Count);
        Assert.Matches("^<[0-9a-f]{16}@mx\\.example\\.org>$", msg.Header("Message-ID"));
        Assert.Matches("^=_[0-9a-f]{16}/mx\\.example\\.org$", msg.Parameter("boundary"));
        var odd = MimeReader.Parse((await BuildAsync(Report(BounceType.Failed) with { Boundary = null, ReportingMta = "a\"b c" })).Text);
        Assert.Equal(3, odd.Parts.Count);
    }

    [Fact]
    public async Task RecipientFromAReplyAndLocalDiagnostics()
    {
        var remote = BounceRecipient.FromReply("bob@example.net", "452 4.2.2 Mailbox full", "mx1.example.net", "rfc822;bob@example.net");
        Assert.Equal("4.2.2", remote.Status.ToString());
        var local = new BounceRecipient { FinalRecipient = "carol@example.org", Status = new EnhancedStatus(EnhancedStatusClass.PermFail, EnhancedStatusCode.OtherMailSystemStatus), DiagnosticType = "x-unix", DiagnosticCode = "mail.local: unknown user" };
        var (text, _) = await BuildAsync(Report(BounceType.Failed, DsnRet.Headers, remote, local));
        var groups = MimeReader.DeliveryStatusGroups(MimeReader.Parse(text).Parts[1].Body);
        Assert.Equal("smtp; 452 4.2.2 Mailbox full", groups[1].Header("Diagnostic-Code"));
        Assert.Equal("dns; mx1.example.net", groups[1].Header("Remote-MTA"));
        Assert.Equal("x-unix; mail.local: unknown user", groups[2].Header("Diagnostic-Code"));
        Assert.Equal("5.3.0", groups[2].Header("Status"));
    }

    // The report's To is the envelope sender as received; MimeKit may not read every such value as an
    // address, and the report must still say it as it is.
    [Theory]
    [InlineData("\"odd local\"@example.org")]
    [InlineData("user@[192.0.2.7]")]
    [InlineData("no-domain")]
    [InlineData("a@b@c")]
    [InlineData("caf\u00e9@example.org")]
    public async Task OddSendersAreNamedInTo(string sender)
    {
        var report = Report(BounceType.Failed) with { To = sender };
        var (text, _) = await BuildAsync(report);
        Assert.Equal(BounceNotice.Ascii7(sender), MimeReader.Parse(text).Header("To"));
    }

    [Theory]
    [InlineData(0, "0 seconds")]
    [InlineData(1, "1 second")]
    [InlineData(59, "59 seconds")]
    [InlineData(60, "1 minute")]
    [InlineData(7199, "1 hour")]
    [InlineData(86400 * 4, "4 days")]
    public void DurationsRoundDown(int seconds, string text)
    {
        Assert.Equal(text, BounceNotice.Duration(TimeSpan.FromSeconds(seconds)));
    }

    [Theory]
    [InlineData("failed-headers", (int)BounceType.Failed, (int)DsnRet.Headers)]
    [InlineData("failed-full", (int)BounceType.Failed, (int)DsnRet.Full)]
    [InlineData("delayed", (int)BounceType.Delayed, (int)DsnRet.Headers)]
    [InlineData("delivered", (int)BounceType.Delivered, (int)DsnRet.Headers)]
    public async Task LayoutMatchesGoldenFile(string name, int type, int ret)
    {
        var ok = new BounceRecipient { FinalRecipient = "bob@example.net", Status = new EnhancedStatus(EnhancedStatusClass.Success, 0, 0), DiagnosticCode = "250 2.0.0 Ok: queued as 4F" };
        var report = (BounceType)type == BounceType.Delivered ? Report(BounceType.Delivered, (DsnRet)ret, ok) : Report((BounceType)type, (DsnRet)ret);
        var (text, _) = await BuildAsync(report);
        Golden.Check("Bounce/" + name + ".eml", text);
    }

    private sealed class NonSeekable(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class CountingStream(byte[] data) : MemoryStream(data)
    {
        public long BytesRead { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = base.Read(buffer, offset, count);
            BytesRead += n;
            return n;
        }

        public override int Read(Span<byte> buffer)
        {
            int n = base.Read(buffer);
            BytesRead += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int n = base.Read(buffer.Span);
            BytesRead += n;
            return ValueTask.FromResult(n);
        }
    }
}
