using System.Text;
using Smtpd.Enqueue;

namespace Smtpd.Tests.Enqueue;

public class OutgoingMessageTests
{
    private const string Date = "Mon, 7 Dec 2026 10:00:00 +0000 (UTC)";

    private static List<string> Lines(string input, string? fullName = null) =>
        [.. OutgoingMessage.Lines(MessageInput.Read(new MemoryStream(Encoding.Latin1.GetBytes(input)), false), "u@example.org", fullName, Date)];

    [Fact]
    public void FromAndDateAreAddedWhenMissingAndMboxFromAndReturnPathDropped() =>
        Assert.Equal(
            ["From: Full Name <u@example.org>", "Date: " + Date, "Subject: s", string.Empty, "From me, with love", "Return-Path: <kept in the body>"],
            Lines("From u@example.org Mon Dec  7 10:00:00 2026\nReturn-Path: <x@example.org>\nSubject: s\n\nFrom me, with love\nReturn-Path: <kept in the body>\n", "Full Name"));

    [Fact]
    public void PresentFromAndDateAreKept() =>
        Assert.Equal(["From: a@example.org", "Date: yesterday", string.Empty, "b"], Lines("From: a@example.org\nDate: yesterday\n\nb\n"));

    [Fact]
    public void TextWithoutAHeaderBecomesTheBody() =>
        Assert.Equal(["From: <u@example.org>", "Date: " + Date, string.Empty, "hello"], Lines("hello\n"));

    [Fact]
    public void ALongLineMakesTheBodyQuotedPrintableWithMimeHeaders()
    {
        var lines = Lines("Subject: long\n\n" + new string('x', 1000) + " \n");
        Assert.Equal(["MIME-Version: 1.0", "Content-Type: text/plain; charset=unknown-8bit", "Content-Disposition: inline", "Content-Transfer-Encoding: quoted-printable"], lines.Skip(2).Take(4));
        Assert.All(lines, l => Assert.True(l.Length <= 76, l));
        Assert.EndsWith("x=20", lines[^1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a=b", new[] { "a=3Db" })]
    [InlineData("tab\tin", new[] { "tab\tin" })]
    [InlineData("end ", new[] { "end=20" })]
    [InlineData("caf\xe9", new[] { "caf=E9" })]
    public void QuotedPrintableFollowsRfc2045(string line, string[] expected) =>
        Assert.Equal(expected, OutgoingMessage.QuotedPrintable(line));

    [Fact]
    public void GecosNamesReplaceTheAmpersand() =>
        Assert.Equal("Joe Doe Jr", Sendmail.GecosName(new Smtpd.Interop.PasswdEntry("joe", 1, 1, "/", "/bin/sh") { Gecos = "& Doe Jr,Room 1,,," }));
}
