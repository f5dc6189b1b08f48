// Properties over the whole valid corpus: parse, print, parse gives an equal model; serialize,
// deserialize gives an equal model; the deserializer refuses truncated and padded input.
namespace Smtpd.Tests.Config;

using Smtpd.Config;

public sealed class RoundTripTests
{
    public static TheoryData<string> ValidFiles => GoldenCorpus.Files("valid");

    [Theory]
    [MemberData(nameof(ValidFiles))]
    public void ParsePrintParseYieldsEqualModel(string name)
    {
        var first = GoldenCorpus.Load("valid", name).Config!;
        var printed = ConfigPrinter.Print(first);
        var second = ConfigLoader.LoadFromString(printed, "printed.conf");
        Assert.True(second.Success, string.Join('\n', second.Errors));
        Assert.Empty(second.Notices);
        Assert.Equal(first, second.Config);
        Assert.Equal(printed, ConfigPrinter.Print(second.Config!));
    }

    [Theory]
    [MemberData(nameof(ValidFiles))]
    public void SerializeDeserializeYieldsEqualModel(string name)
    {
        var config = GoldenCorpus.Load("valid", name).Config!;
        var bytes = ConfigSerializer.Serialize(config);
        var back = ConfigSerializer.Deserialize(bytes);
        Assert.Equal(config, back);
        Assert.Equal(ConfigPrinter.Print(config), ConfigPrinter.Print(back));
        Assert.Equal(bytes, ConfigSerializer.Serialize(back));
    }

    [Theory]
    [MemberData(nameof(ValidFiles))]
    public void DeserializerRejectsEveryTruncation(string name)
    {
        var bytes = ConfigSerializer.Serialize(GoldenCorpus.Load("valid", name).Config!);
        for (var length = 0; length < bytes.Length; length++)
        {
            var prefix = bytes.AsSpan(0, length).ToArray();
            Assert.Throws<FormatException>(() => ConfigSerializer.Deserialize(prefix));
        }
    }

    [Theory]
    [MemberData(nameof(ValidFiles))]
    public void DeserializerRejectsTrailingBytes(string name)
    {
        var bytes = ConfigSerializer.Serialize(GoldenCorpus.Load("valid", name).Config!);
        Assert.Throws<FormatException>(() => ConfigSerializer.Deserialize([.. bytes, 0]));
    }

    [Fact]
    public void DeserializerRejectsBadMagicAndVersion()
    {
        var bytes = ConfigSerializer.Serialize(new SmtpdConfig());
        var badMagic = (byte[])bytes.Clone();
        badMagic[0] ^= 0xff;
        Assert.Throws<FormatException>(() => ConfigSerializer.Deserialize(badMagic));
        var badVersion = (byte[])bytes.Clone();
        badVersion[7] = 99;
        Assert.Throws<FormatException>(() => ConfigSerializer.Deserialize(badVersion));
    }

    [Fact]
    public void DeserializerNeverThrowsAnythingButFormatExceptionOnCorruption()
    {
        var bytes = ConfigSerializer.Serialize(GoldenCorpus.Load("valid", "055-real-mx.conf").Config!);
        var random = new Random(1234);
        for (var i = 0; i < 2000; i++)
        {
            var copy = (byte[])bytes.Clone();
            copy[random.Next(copy.Length)] = (byte)random.Next(256);
            try
            {
                ConfigSerializer.Deserialize(copy);
            }
            catch (FormatException)
            {
            }
        }
    }

    [Fact]
    public void ModelsThatDifferAreNotEqual()
    {
        var a = ConfigLoader.LoadFromString("action \"a\" mbox\nmatch for local action \"a\"\n", "a.conf").Config!;
        var b = ConfigLoader.LoadFromString("action \"a\" maildir\nmatch for local action \"a\"\n", "b.conf").Config!;
        Assert.NotEqual(a, b);
        Assert.NotEqual(ConfigSerializer.Serialize(a), ConfigSerializer.Serialize(b));
    }
}
