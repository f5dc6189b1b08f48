using System.Text;
using Smtpd.Enqueue;

namespace Smtpd.Tests.Enqueue;

public class MessageInputTests
{
    private static MessageInput Read(string text, bool ignoreDots = false) =>
        MessageInput.Read(new MemoryStream(Encoding.Latin1.GetBytes(text)), ignoreDots);

    [Fact]
    public void HeaderRecipientsComeFromToCcAndBccAndBccLinesAreDropped()
    {
        var m = Read("From: A <a@example.org>\r\nTo: b@example.org,\r\n c@example.org\r\nBcc: d@example.org,\r\n\te@example.org\r\nSubject: s\r\n\r\nBcc: f@example.org\r\n");
        Assert.Equal(["b@example.org", "c@example.org", "d@example.org", "e@example.org"], m.HeaderRecipients);
        Assert.Equal("a@example.org", m.FromAddress);
        Assert.Equal(["From: A <a@example.org>", "To: b@example.org,", " c@example.org", "Subject: s", string.Empty, "Bcc: f@example.org"], m.Lines);
        Assert.True(m.SawFrom);
        Assert.False(m.SawDate);
        Assert.False(m.NoHeader);
    }

    [Fact]
    public void ALoneDotEndsTheInputUnlessDotsAreIgnored()
    {
        Assert.Equal(["Subject: x", string.Empty, "a"], Read("Subject: x\n\na\n.\nb\n").Lines);
        Assert.Equal(Encoding.Latin1.GetBytes("Subject: x\n\na\n"), Read("Subject: x\n\na\n.\r\nb\n").Raw);
        Assert.Equal(["Subject: x", string.Empty, "a", ".", "b"], Read("Subject: x\n\na\n.\nb\n", ignoreDots: true).Lines);
        Assert.Equal(["x", "no newline at the end"], Read("x\nno newline at the end").Lines);
    }

    [Fact]
    public void InputWithoutAHeaderIsMarkedAndEightBitBytesSurvive()
    {
        var m = Read("caf\xe9 au lait\n");
        Assert.True(m.NoHeader);
        Assert.Equal("caf\xe9 au lait", m.Lines[0]);
        Assert.False(Read("From someone@example.org Mon Dec  7 10:00:00 2026\nSubject: x\n\nb\n").NoHeader);
    }

    [Fact]
    public void LongLinesAskForQuotedPrintable()
    {
        Assert.True(Read("Subject: x\n\n" + new string('a', 989) + "\n").NeedLineSplit);
        Assert.False(Read("Subject: x\n\n" + new string('a', 988) + "\n").NeedLineSplit);
    }

    [Fact]
    public void ABadAddressHeaderIsReported()
    {
        var m = Read("To: \"open <a@example.org>\n\nx\n");
        Assert.Equal((true, false), (m.RecipientSyntaxError, m.FromSyntaxError));
        Assert.True(Read("From: (open\n\nx\n").FromSyntaxError);
    }
}
