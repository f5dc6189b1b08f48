using System.Buffers;
using System.Text;
using Smtpd.Mime;

namespace Smtpd.Tests.Mime;

public class MessageHeaderFilterTests
{
    private static (string Output, MessageHeaderFilter Filter, bool Ok) Run(MessageHeaderFilter filter, params string[] lines)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var line in lines)
        {
            filter.PushLine(Encoding.UTF8.GetBytes(line), output);
        }

        bool ok = filter.End(output);
        return (Encoding.UTF8.GetString(output.WrittenSpan), filter, ok);
    }

    private static string Field(string name, string value, string? masquerade = null)
    {
        var output = new ArrayBufferWriter<byte>();
        HeaderAddresses.WriteField(Encoding.ASCII.GetBytes(name), Encoding.UTF8.GetBytes(value), "mx.example.org", masquerade, output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    [Theory]
    [InlineData(" bob", " bob@mx.example.org\n")]
    [InlineData(" bob@example.net", " bob@example.net\n")]
    [InlineData(" Bob <bob>", " Bob <bob@mx.example.org>\n")]
    [InlineData(" Bob < bob >", " Bob < bob@mx.example.org >\n")]
    [InlineData(" bob (the builder)", " bob@mx.example.org (the builder)\n")]
    [InlineData(" \"Smith, John\" <john>, jane", " \"Smith, John\" <john@mx.example.org>, jane@mx.example.org\n")]
    [InlineData(" a,\n\tb@c,\n\td", " a@mx.example.org,\n\tb@c,\n\td@mx.example.org\n")]
    [InlineData(" <>", " <>\n")]
    [InlineData(" undisclosed-recipients:;", " undisclosed-recipients:;\n")]
    [InlineData(" \"unbalanced <x>", " \"unbalanced <x>\n")]
    [InlineData(" (open comment x", " (open comment x\n")]
    [InlineData(" a\\,b", " a\\,b@mx.example.org\n")]
    [InlineData("", "\n")]
    [InlineData(" ", " \n")]
    public void BareAddressesGetTheListenerDomain(string value, string expected)
    {
        Assert.Equal("To:" + expected, Field("To", value));
    }

    [Theory]
    [InlineData(" Gilles <gilles@laptop>", " Gilles <gilles@poolp.org>\n")]
    [InlineData(" gilles", " gilles@poolp.org\n")]
    [InlineData(" gilles@laptop (me)", " gilles@poolp.org (me)\n")]
    [InlineData(" group: a;", " group: a;\n")]
    public void MasqueradeReplacesTheAddressProper(string value, string expected)
    {
        Assert.Equal("From:" + expected, Field("From", value, "gilles@poolp.org"));
    }

    [Fact]
    public void OverlongAddressPassesThroughUntouched()
    {
        string huge = " " + new string('x', 70_000);
        Assert.Equal("To:" + huge + "\n", Field("To", huge));
    }

    [Fact]
    public void CopiesFieldsDropsBccRewritesAddressesAndKeepsTheBody()
    {
        var (output, filter, ok) = Run(
            new MessageHeaderFilter("mx.example.org"),
            "Received: from a", "\tby b", "Bcc: secret", "\thidden", "To: bob,", "\tcarol@example.net", "Subject: hi", "Date: Sun, 22 Nov 2026 02:07:36 +0000", "", "From me", "To: not a header");
        Assert.True(ok);
        Assert.Equal(1, filter.ReceivedCount);
        Assert.True(filter.HasDate);
        Assert.Equal(
            "Received: from a\n\tby b\nTo: bob@mx.example.org,\n\tcarol@example.net\nSubject: hi\nDate: Sun, 22 Nov 2026 02:07:36 +0000\n\nFrom me\nTo: not a header\n",
            output);
    }

    [Fact]
    public void SubmissionAddsMissingDateAndMessageId()
    {
        var when = new DateTimeOffset(2026, 11, 22, 2, 7, 36, TimeSpan.Zero);
        var (output, _, _) = Run(new MessageHeaderFilter("mx.example.org", date: when, messageId: "<0123456789abcdef@mx.example.org>"), "Subject: x", "", "b");
        Assert.Equal("Subject: x\nDate: Sun, 22 Nov 2026 02:07:36 +0000\nMessage-ID: <0123456789abcdef@mx.example.org>\n\nb\n", output);

        var (kept, _, _) = Run(new MessageHeaderFilter("h", date: when, messageId: "<n@h>"), "date: x", "message-id: <m@h>", "", "b");
        Assert.Equal("date: x\nmessage-id: <m@h>\n\nb\n", kept);

        var (bare, _, _) = Run(new MessageHeaderFilter("h", date: when, messageId: "<n@h>"));
        Assert.Equal("Date: Sun, 22 Nov 2026 02:07:36 +0000\nMessage-ID: <n@h>\n", bare);
    }

    [Fact]
    public void HundredReceivedFieldsAreALoop()
    {
        var lines = Enumerable.Repeat("Received: from x", 99).Append("Subject: s").Append("").Append("b").ToArray();
        Assert.True(Run(new MessageHeaderFilter("h"), lines).Ok);

        var looping = Enumerable.Repeat("Received: from x", 100).Append("").Append("b").ToArray();
        var (_, filter, ok) = Run(new MessageHeaderFilter("h"), looping);
        Assert.False(ok);
        Assert.Equal(MessageFilterError.Loop, filter.Error);
        Assert.Equal(100, filter.ReceivedCount);
    }

    [Fact]
    public void BodyWithoutSeparatorIsMalformed()
    {
        var (_, filter, ok) = Run(new MessageHeaderFilter("h"), "Subject: s", "oops no colon", "more");
        Assert.False(ok);
        Assert.Equal(MessageFilterError.Malformed, filter.Error);
    }

    [Fact]
    public void MasqueradeOnlyTouchesFrom()
    {
        var (output, _, _) = Run(new MessageHeaderFilter("h", masqueradeFrom: "me@example.org"), "From: Me <me@laptop>", "Cc: x@y", "", "b");
        Assert.Equal("From: Me <me@example.org>\nCc: x@y\n\nb\n", output);
    }
}
