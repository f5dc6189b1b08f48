// Kestrel-style framing tests: prefixes consume nothing, segment splits do not matter, the cap holds.
using System.Buffers;
using System.Text;
using Smtpd.Smtp;

namespace Smtpd.Tests.Smtp;

public class SmtpLineReaderTests
{
    public static TheoryData<string> Lines => new()
    {
        "EHLO client.example.org\r\n",
        "MAIL FROM:<alice@example.org> BODY=8BITMIME\r\n",
        "\r\n",
        ".\r\n",
        "bare line feed\n",
        "inner\rcarriage return\r\n",
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public void EveryProperPrefixIsIncompleteAndConsumesNothing(string text)
    {
        byte[] bytes = Encoding.Latin1.GetBytes(text);
        using var reader = new SmtpLineReader();
        for (int i = 0; i < bytes.Length; i++)
        {
            var buffer = new ReadOnlySequence<byte>(bytes, 0, i);
            Assert.Equal(SmtpLineStatus.Incomplete, reader.TryReadLine(ref buffer, out _, out _));
            Assert.Equal(i, buffer.Length);
        }
    }

    [Theory]
    [MemberData(nameof(Lines))]
    public void TheWholeLineIsReturnedWithoutItsTerminator(string text)
    {
        byte[] bytes = Encoding.Latin1.GetBytes(text + "NEXT");
        using var reader = new SmtpLineReader();
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.Equal(SmtpLineStatus.Complete, reader.TryReadLine(ref buffer, out ReadOnlySpan<byte> line, out bool crlf));
        string expected = text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2] : text[..^1];
        Assert.Equal(expected, Encoding.Latin1.GetString(line));
        Assert.Equal(text.EndsWith("\r\n", StringComparison.Ordinal), crlf);
        Assert.Equal("NEXT", Encoding.Latin1.GetString(buffer.ToArray()));
    }

    [Fact]
    public void SplittingTheInputAcrossSegmentsGivesTheSameLines()
    {
        byte[] bytes = Encoding.Latin1.GetBytes("HELO a\r\nMAIL FROM:<>\nx\r\r\n\r\n.\r\nrest");
        List<(string, bool)> expected = ReadAll(new ReadOnlySequence<byte>(bytes), out long left);
        for (int a = 0; a <= bytes.Length; a++)
        {
            for (int b = a; b <= bytes.Length; b++)
            {
                List<(string, bool)> actual = ReadAll(TestSegment.Split(bytes, a, b), out long leftSplit);
                Assert.Equal(expected, actual);
                Assert.Equal(left, leftSplit);
            }
        }
    }

    [Fact]
    public void ALineJustUnderTheCapIsAcceptedInOneOrManySegments()
    {
        byte[] bytes = new byte[SmtpLineReader.MaxLineLength];
        bytes.AsSpan().Fill((byte)'a');
        bytes[^1] = (byte)'\n';
        using var reader = new SmtpLineReader();
        foreach (ReadOnlySequence<byte> sequence in new[] { new ReadOnlySequence<byte>(bytes), TestSegment.Split(bytes, 1000, 40000) })
        {
            ReadOnlySequence<byte> buffer = sequence;
            Assert.Equal(SmtpLineStatus.Complete, reader.TryReadLine(ref buffer, out ReadOnlySpan<byte> line, out _));
            Assert.Equal(SmtpLineReader.MaxLineLength - 1, line.Length);
            Assert.True(buffer.IsEmpty);
        }
    }

    [Fact]
    public void ALineReachingTheCapIsTooLongEvenWithItsLineFeedPresent()
    {
        // As in OpenSMTPD the length counts the CR: 65534 characters plus CRLF is one too many.
        byte[] bytes = new byte[SmtpLineReader.MaxLineLength + 1];
        bytes.AsSpan().Fill((byte)'a');
        bytes[^2] = (byte)'\r';
        bytes[^1] = (byte)'\n';
        using var reader = new SmtpLineReader();
        foreach (ReadOnlySequence<byte> sequence in new[] { new ReadOnlySequence<byte>(bytes), TestSegment.Split(bytes, 7, 65530) })
        {
            ReadOnlySequence<byte> buffer = sequence;
            Assert.Equal(SmtpLineStatus.TooLong, reader.TryReadLine(ref buffer, out _, out _));
            Assert.Equal(bytes.Length, buffer.Length);
        }
    }

    [Fact]
    public void TooLongIsDecidedBeforeTheLineFeedArrives()
    {
        byte[] bytes = new byte[SmtpLineReader.MaxLineLength];
        bytes.AsSpan().Fill((byte)'b');
        using var reader = new SmtpLineReader();
        var under = new ReadOnlySequence<byte>(bytes, 0, bytes.Length - 1);
        Assert.Equal(SmtpLineStatus.Incomplete, reader.TryReadLine(ref under, out _, out _));
        var at = TestSegment.Split(bytes, 30000);
        Assert.Equal(SmtpLineStatus.TooLong, reader.TryReadLine(ref at, out _, out _));
        Assert.Equal(bytes.Length, at.Length);
    }

    [Fact]
    public void RandomBytesNeverThrowAndAlwaysMakeProgressOrStop()
    {
        var random = new Random(20261122);
        using var reader = new SmtpLineReader();
        for (int round = 0; round < 500; round++)
        {
            byte[] bytes = new byte[random.Next(0, 4096)];
            random.NextBytes(bytes);
            int cuts = random.Next(0, 4);
            int[] at = Enumerable.Range(0, cuts).Select(_ => random.Next(0, bytes.Length + 1)).Order().ToArray();
            ReadOnlySequence<byte> buffer = TestSegment.Split(bytes, at);
            while (true)
            {
                long before = buffer.Length;
                SmtpLineStatus status = reader.TryReadLine(ref buffer, out ReadOnlySpan<byte> line, out _);
                if (status != SmtpLineStatus.Complete)
                {
                    Assert.Equal(SmtpLineStatus.Incomplete, status);
                    Assert.Equal(before, buffer.Length);
                    Assert.Null(buffer.PositionOf((byte)'\n'));
                    break;
                }

                Assert.True(buffer.Length < before);
                Assert.Equal(-1, line.IndexOf((byte)'\n'));
            }
        }
    }

    private static List<(string, bool)> ReadAll(ReadOnlySequence<byte> buffer, out long left)
    {
        using var reader = new SmtpLineReader();
        var lines = new List<(string, bool)>();
        while (reader.TryReadLine(ref buffer, out ReadOnlySpan<byte> line, out bool crlf) == SmtpLineStatus.Complete)
        {
            lines.Add((Encoding.Latin1.GetString(line), crlf));
        }

        left = buffer.Length;
        return lines;
    }
}
