// The printer's quoting rules and the prefix property: no prefix of a valid file makes the loader throw.
namespace Smtpd.Tests.Config;

using Smtpd.Config;

public sealed class ConfigPrinterTests
{
    [Theory]
    [InlineData("eth0", "eth0")]
    [InlineData("192.168.0.1", "192.168.0.1")]
    [InlineData("::1", "::1")]
    [InlineData("file:/etc/mail/aliases", "file:/etc/mail/aliases")]
    [InlineData("local", "\"local\"")]
    [InlineData("25", "\"25\"")]
    [InlineData("/etc/x", "\"/etc/x\"")]
    [InlineData("@example.org", "\"@example.org\"")]
    [InlineData("a b", "\"a b\"")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("", "\"\"")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    public void WordsAreBareOnlyWhenTheyReadBackUnchanged(string value, string printed) =>
        Assert.Equal(printed, ConfigPrinter.Word(value));

    [Theory]
    [InlineData(86400, "1d")]
    [InlineData(5400, "90m")]
    [InlineData(7200, "2h")]
    [InlineData(61, "61s")]
    public void DelaysPrintInTheirLargestExactUnit(int seconds, string text) => Assert.Equal(text, Durations.Format(seconds));

    [Theory]
    [InlineData(36700160L, "35M")]
    [InlineData(1000L, "1000")]
    [InlineData(0L, "0")]
    [InlineData(2048L, "2K")]
    public void SizesPrintInTheirLargestExactUnit(long bytes, string text) => Assert.Equal(text, Durations.FormatSize(bytes));

    [Theory]
    [InlineData("002-debian-default.conf")]
    [InlineData("055-real-mx.conf")]
    [InlineData("072-legacy-pki-listen.conf")]
    public void EveryPrefixOfAValidFileLoadsWithoutThrowing(string name)
    {
        var text = File.ReadAllText(Path.Combine(GoldenCorpus.OutputDir("valid"), name));
        for (var length = 0; length <= text.Length; length++)
        {
            var result = ConfigLoader.LoadFromString(text[..length], "/nonexistent-smtpd-prefix/p.conf");
            Assert.True(result.Success || result.Errors.Count > 0);
        }
    }

    [Fact]
    public void LegacyRelayUrlsMapToTodaysSchemes()
    {
        Assert.Equal("smtp://h", Parser.TranslateLegacyUrl("smtp+tls://h"));
        Assert.Equal("smtp+tls://h", Parser.TranslateLegacyUrl("tls://h"));
        Assert.Equal("smtp+notls://h", Parser.TranslateLegacyUrl("smtp://h"));
        Assert.Equal("smtps://h", Parser.TranslateLegacyUrl("smtps://h"));
        Assert.Equal("smtp+tls://label@h:587", Parser.TranslateLegacyUrl("tls+auth://label@h:587"));
        Assert.Equal("h.example", Parser.TranslateLegacyUrl("h.example"));
    }

    [Theory]
    [InlineData("smtp://mx.example.org", null)]
    [InlineData("smtp+tls://bob@mx.example.org:587", null)]
    [InlineData("smtps://[2001:db8::1]:465", null)]
    [InlineData("mx.example.org", null)]
    [InlineData("lmtp://127.0.0.1:24", null)]
    [InlineData("gopher://x", "unknown scheme \"gopher\" (expected smtp, smtp+tls, smtp+notls, smtps or lmtp)")]
    [InlineData("smtp://x:0", "invalid port \"0\" (expected 1 to 65535)")]
    [InlineData("smtp://[::1", "unterminated \"[\" in address")]
    public void RelayUrlsAreValidated(string url, string? problem) => Assert.Equal(problem, RelayUrl.Validate(url));

    [Theory]
    [InlineData("smtp://mx.example.org", "smtp", "", "mx.example.org", 25)]
    [InlineData("mx.example.org", "smtp", "", "mx.example.org", 25)]
    [InlineData("smtps://label@mx.example.org", "smtps", "label", "mx.example.org", 465)]
    [InlineData("SMTP+TLS://[2001:db8::1]:587", "smtp+tls", "", "2001:db8::1", 587)]
    [InlineData("lmtp://127.0.0.1:24", "lmtp", "", "127.0.0.1", 24)]
    [InlineData("lmtp://127.0.0.1", "lmtp", "", "127.0.0.1", 0)]
    public void RelayUrlsAreTakenApart(string url, string scheme, string label, string host, int port) =>
        Assert.Equal((scheme, label, host, port), RelayUrl.Parse(url));
}
