using Smtpd.Ipc;

namespace Smtpd.Tests.Ipc;

public class ImsgFramerTests
{
    private static byte[] Frame(ImsgType type, byte[] payload, bool hasFd = false, uint peerId = 7, uint pid = 1234)
    {
        var bytes = new byte[ImsgHeader.Size + payload.Length];
        new ImsgHeader(type, bytes.Length, hasFd, peerId, pid).Write(bytes);
        payload.CopyTo(bytes, ImsgHeader.Size);
        return bytes;
    }

    [Fact]
    public void HeaderRoundTripsEveryField()
    {
        var h = new ImsgHeader(ImsgType.SetupPeer, 1000, true, 0xdeadbeef, 4242);
        var buf = new byte[ImsgHeader.Size];
        h.Write(buf);
        Assert.Equal(h, ImsgHeader.Read(buf));
    }

    [Fact]
    public void EveryProperPrefixIsIncompleteAndTheWholeFrameIsComplete()
    {
        var frame = Frame(ImsgType.Ping, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        for (int i = 0; i < frame.Length; i++)
        {
            Assert.Equal(FrameStatus.Incomplete, ImsgFramer.TryRead(frame.AsSpan(0, i), out _));
        }

        Assert.Equal(FrameStatus.Complete, ImsgFramer.TryRead(frame, out var header));
        Assert.Equal(frame.Length, header.Length);
        Assert.Equal(ImsgType.Ping, header.Type);
    }

    [Fact]
    public void AFrameFollowedByMoreBytesIsCompleteWithItsOwnLength()
    {
        var two = Frame(ImsgType.Pong, [1]).Concat(Frame(ImsgType.Ping, [2, 3])).ToArray();
        Assert.Equal(FrameStatus.Complete, ImsgFramer.TryRead(two, out var header));
        Assert.Equal(ImsgHeader.Size + 1, header.Length);
    }

    [Theory]
    [InlineData(0u, 16)]
    [InlineData(90u, 15)]
    [InlineData(90u, 0)]
    [InlineData(90u, 16 * 1024 * 1024 + 1)]
    public void ImpossibleHeadersAreMalformed(uint type, int length)
    {
        var buf = new byte[ImsgHeader.Size];
        new ImsgHeader((ImsgType)type, length, false, 0, 0).Write(buf);
        Assert.Equal(FrameStatus.Malformed, ImsgFramer.TryRead(buf, out _));
    }

    [Fact]
    public void RandomBytesNeverThrow()
    {
        var rng = new Random(1234);
        var buf = new byte[64];
        for (int i = 0; i < 20000; i++)
        {
            rng.NextBytes(buf);
            _ = ImsgFramer.TryRead(buf.AsSpan(0, rng.Next(buf.Length + 1)), out _);
        }
    }
}
