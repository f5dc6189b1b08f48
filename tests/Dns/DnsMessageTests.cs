using Smtpd.Dns;

namespace Smtpd.Tests.Dns;

public class DnsMessageTests
{
    [Fact]
    public void AQueryCarriesIdRecursionOneQuestionAndEdns()
    {
        byte[] q = DnsMessage.BuildQuery(0x1234, "Example.ORG.", DnsType.MX);
        Assert.Equal([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1], q[..12]);
        Assert.Equal([7, .. "Example"u8.ToArray(), 3, .. "ORG"u8.ToArray(), 0, 0, 15, 0, 1], q[12..29]);
        Assert.Equal([0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0], q[29..]);
    }

    [Theory]
    [InlineData("a..b")]
    [InlineData("this-label-is-far-too-long-for-dns-because-it-has-more-than-63-chars.org")]
    public void InvalidNamesAreRefusedWhenBuildingAQuery(string name)
    {
        Assert.Throws<ArgumentException>(() => DnsMessage.BuildQuery(1, name, DnsType.A));
    }

    [Fact]
    public void CompressionPointersThatLoopOrPointForwardAreMalformed()
    {
        byte[] loop = [0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1];
        Assert.Throws<DnsFormatException>(() => DnsMessage.Parse(loop));
        byte[] forward = [0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 14, 0, 0, 1, 0, 1];
        Assert.Throws<DnsFormatException>(() => DnsMessage.Parse(forward));
    }

    [Fact]
    public void RandomAndTruncatedInputNeverThrowsAnythingButFormatErrors()
    {
        var rng = new Random(42);
        byte[] valid = [0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 1, (byte)'a', 0, 0, 1, 0, 1, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1];
        Assert.Single(DnsMessage.Parse(valid).Answers);
        for (int i = 0; i < 20000; i++)
        {
            byte[] m = (byte[])valid.Clone();
            int flips = rng.Next(1, 4);
            for (int f = 0; f < flips; f++)
            {
                m[rng.Next(m.Length)] = (byte)rng.Next(256);
            }

            try
            {
                DnsMessage.Parse(m.AsSpan(0, rng.Next(m.Length + 1)));
            }
            catch (DnsFormatException)
            {
            }
        }
    }

    [Fact]
    public void ResolvConfTakesThreeNameserversAndTheTimingOptions()
    {
        var c = ResolvConf.Parse("# comment\nsearch example.org\nnameserver 127.0.0.53\nnameserver ::1\nnameserver 10.0.0.1\nnameserver 10.0.0.2\noptions timeout:2 attempts:3 ndots:1\n");
        Assert.Equal(["127.0.0.53:53", "[::1]:53", "10.0.0.1:53"], c.Nameservers.Select(e => e.ToString()));
        Assert.Equal(TimeSpan.FromSeconds(2), c.Timeout);
        Assert.Equal(3, c.Attempts);
        Assert.Equal("127.0.0.1:53", ResolvConf.Parse("").Nameservers.Single().ToString());
    }
}
