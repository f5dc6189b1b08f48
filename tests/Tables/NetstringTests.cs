// Netstring framing and socketmap reply words: every prefix of a frame is incomplete, garbage
// and oversize frames are malformed, unknown words are not answers.
using System.Text;
using Smtpd.Tables;

namespace Smtpd.Tests.Tables;

public class NetstringTests
{
    [Theory]
    [InlineData("", "0:,")]
    [InlineData("aliases bob@example.org", "23:aliases bob@example.org,")]
    [InlineData("é", "2:é,")]
    public void EncodesLengthInBytesColonPayloadComma(string text, string frame) =>
        Assert.Equal(Encoding.UTF8.GetBytes(frame), Netstring.Encode(text));

    [Fact]
    public void EveryPrefixOfAFrameIsIncompleteAndTheWholeIsComplete()
    {
        byte[] frame = Netstring.Encode("OK alice, bob");
        for (int i = 0; i < frame.Length; i++)
        {
            Assert.Equal(NetstringStatus.Incomplete, Netstring.TryParse(frame.AsSpan(0, i), 100, out _, out int none));
            Assert.Equal(0, none);
        }

        Assert.Equal(NetstringStatus.Complete, Netstring.TryParse(frame, 100, out string payload, out int consumed));
        Assert.Equal(("OK alice, bob", frame.Length), (payload, consumed));
    }

    [Fact]
    public void ConsumedStopsAtTheFirstFrame()
    {
        Assert.Equal(NetstringStatus.Complete, Netstring.TryParse("3:abc,2:de,"u8, 100, out string payload, out int consumed));
        Assert.Equal(("abc", 6), (payload, consumed));
    }

    [Theory]
    [InlineData(":abc,")]
    [InlineData("-3:abc,")]
    [InlineData(" 3:abc,")]
    [InlineData("3 :abc,")]
    [InlineData("x")]
    [InlineData("3:abcd")]
    [InlineData("OK bob\n")]
    [InlineData("101:")]
    [InlineData("99999999999999999999:")]
    public void GarbageAndOversizeAreMalformed(string input) =>
        Assert.Equal(NetstringStatus.Malformed, Netstring.TryParse(Encoding.ASCII.GetBytes(input), 100, out _, out _));

    [Fact]
    public void ALengthOfExactlyTheLimitIsAccepted() =>
        Assert.Equal(NetstringStatus.Complete, Netstring.TryParse(Encoding.ASCII.GetBytes("5:hello,"), 5, out _, out _));

    [Theory]
    [InlineData("OK alice@example.org", "Ok", "alice@example.org")]
    [InlineData("ok 1000:1000:/home/a", "Ok", "1000:1000:/home/a")]
    [InlineData("OK", "Ok", "")]
    [InlineData("NOTFOUND ", "NotFound", "")]
    [InlineData("NOTFOUND", "NotFound", "")]
    [InlineData("TEMP database down", "Temp", "database down")]
    [InlineData("TIMEOUT slow", "Timeout", "slow")]
    [InlineData("PERM no such map", "Perm", "no such map")]
    [InlineData("OKAY x", "Unrecognized", "unrecognized socketmap reply")]
    [InlineData("", "Unrecognized", "unrecognized socketmap reply")]
    [InlineData("FOUND x", "Unrecognized", "unrecognized socketmap reply")]
    public void ReplyWordsAreReadWithoutRegardToCase(string reply, string status, string text)
    {
        var (parsed, parsedText) = SocketmapReply.Parse(reply);
        Assert.Equal((status, text), (parsed.ToString(), parsedText));
    }
}
