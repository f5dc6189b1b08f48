using Smtpd.Queue;

namespace Smtpd.Tests.Queue;

public class QueueIdTests
{
    [Fact]
    public void IdsPrintAsFixedWidthLowercaseHex()
    {
        Assert.Equal("0000abcd", new MsgId(0xabcd).ToString());
        Assert.Equal("3fa2c901", new MsgId(0x3fa2c901).ToString());
        Assert.Equal("3f", new MsgId(0x3fa2c901).Bucket);
        Assert.Equal("00", new MsgId(0x00ffffff).Bucket);
        Assert.Equal("3fa2c90100000001", new EvpId(0x3fa2c90100000001).ToString());
    }

    [Fact]
    public void EvpIdCarriesItsMsgIdInTheHighHalf()
    {
        var msgid = new MsgId(0xdeadbeef);
        var evpid = EvpId.NewRandom(msgid);
        Assert.Equal(msgid, evpid.MsgId);
        Assert.NotEqual(0u, (uint)evpid.Value);
        Assert.Equal(0xdeadbeef00000000, EvpId.FromMsgId(msgid).Value);
    }

    [Fact]
    public void RandomIdsAreNonZeroAndVary()
    {
        var seen = new HashSet<MsgId>();
        for (int i = 0; i < 1000; i++)
        {
            var id = MsgId.NewRandom();
            Assert.NotEqual(0u, id.Value);
            seen.Add(id);
        }

        Assert.True(seen.Count > 990);
    }

    [Theory]
    [InlineData("3fa2c901", true, 0x3fa2c901u)]
    [InlineData("3FA2C901", true, 0x3fa2c901u)]
    [InlineData("00000000", true, 0u)]
    [InlineData("3fa2c90", false, 0u)]
    [InlineData("3fa2c9011", false, 0u)]
    [InlineData("+fa2c901", false, 0u)]
    [InlineData(" fa2c901", false, 0u)]
    [InlineData("0x3fa2c9", false, 0u)]
    [InlineData("3fa2c90g", false, 0u)]
    [InlineData("", false, 0u)]
    public void MsgIdParsingAcceptsExactlyEightHexDigits(string text, bool ok, uint value)
    {
        Assert.Equal(ok, MsgId.TryParse(text, out var id));
        Assert.Equal(value, id.Value);
    }

    [Theory]
    [InlineData("3fa2c90100000001", true)]
    [InlineData("3fa2c9010000000", false)]
    [InlineData("3fa2c901-0000001", false)]
    [InlineData("3fa2c901000000001", false)]
    public void EvpIdParsingAcceptsExactlySixteenHexDigits(string text, bool ok)
    {
        Assert.Equal(ok, EvpId.TryParse(text, out var id));
        if (ok)
        {
            Assert.Equal(text, id.ToString());
        }
    }
}
