// The DATA encoding on its own: CRLF line ends, dot-stuffing, the final dot, and the same bytes
// however the message is cut into reads.
using System.Text;
using Smtpd.Mda;

namespace Smtpd.Tests.Mda;

public class LmtpDataEncoderTests
{
    private static string Encode(string message, int chunk)
    {
        var encoder = new LmtpDataEncoder();
        byte[] input = Encoding.UTF8.GetBytes(message);
        var output = new List<byte>();
        for (int i = 0; i < input.Length; i += chunk)
        {
            var piece = input.AsSpan(i, Math.Min(chunk, input.Length - i));
            var buf = new byte[LmtpDataEncoder.MaxEncodedLength(piece.Length)];
            output.AddRange(buf.AsSpan(0, encoder.Encode(piece, buf)));
        }

        var tail = new byte[LmtpDataEncoder.MaxFinishLength];
        output.AddRange(tail.AsSpan(0, encoder.Finish(tail)));
        return Encoding.UTF8.GetString([.. output]);
    }

    [Theory]
    [InlineData("", ".\r\n")]
    [InlineData("a\n", "a\r\n.\r\n")]
    [InlineData("a", "a\r\n.\r\n")]
    [InlineData("\n", "\r\n.\r\n")]
    [InlineData(".\n", "..\r\n.\r\n")]
    [InlineData(".", "..\r\n.\r\n")]
    [InlineData("a\n.\nb", "a\r\n..\r\nb\r\n.\r\n")]
    [InlineData("x.y\n.x\n", "x.y\r\n..x\r\n.\r\n")]
    [InlineData("crlf\r\nkept\r\n", "crlf\r\nkept\r\n.\r\n")]
    [InlineData("bare\rcr\n", "bare\rcr\r\n.\r\n")]
    [InlineData("ends in cr\r", "ends in cr\r\n.\r\n")]
    [InlineData("\n\n.\n..\n", "\r\n\r\n..\r\n...\r\n.\r\n")]
    public void MessagesAreEncodedTheSameWhateverTheChunking(string message, string expected)
    {
        for (int chunk = 1; chunk <= Math.Max(1, message.Length); chunk++)
        {
            Assert.Equal(expected, Encode(message, chunk));
        }
    }

    [Fact]
    public void TooSmallAnOutputBufferIsRefused()
    {
        var encoder = new LmtpDataEncoder();
        Assert.Throws<ArgumentException>(() => encoder.Encode("ab"u8, new byte[3]));
    }
}
