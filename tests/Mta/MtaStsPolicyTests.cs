using System.Text;
using Smtpd.Lka;
using Smtpd.Mta;

namespace Smtpd.Tests.Mta;

public class MtaStsPolicyTests
{
    [Fact]
    public void APolicyIsReadFromItsLinesWhateverTheirEndsAndUnknownKeysAreIgnored()
    {
        var p = MtaStsPolicy.Parse("version: STSv1\r\nmode: enforce\nmx: mail.example.com\r\nmx: *.example.net.\nmax_age: 604800\nextension: x\n", out string error);
        Assert.NotNull(p);
        Assert.Empty(error);
        Assert.Equal(MtaStsMode.Enforce, p.Mode);
        Assert.Equal(604800, p.MaxAge);
        Assert.Equal(["mail.example.com", "*.example.net"], p.Mx);
    }

    [Theory]
    [InlineData("mode: enforce\nmx: a.example\nmax_age: 1\n", "version is not STSv1")]
    [InlineData("version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 1\n", "version is not STSv1")]
    [InlineData("version: STSv1\nmode: strict\nmx: a.example\nmax_age: 1\n", "mode is not enforce, testing or none")]
    [InlineData("version: STSv1\nmode: testing\nmx: a.example\n", "max_age is missing or invalid")]
    [InlineData("version: STSv1\nmode: testing\nmx: a.example\nmax_age: 31557601\n", "max_age is missing or invalid")]
    [InlineData("version: STSv1\nmode: testing\nmx: a.example\nmax_age: -5\n", "max_age is missing or invalid")]
    [InlineData("version: STSv1\nmode: enforce\nmax_age: 86400\n", "no mx pattern")]
    public void InvalidPoliciesAreRefusedWithTheReason(string text, string reason)
    {
        Assert.Null(MtaStsPolicy.Parse(text, out string error));
        Assert.Equal(reason, error);
    }

    [Fact]
    public void ModeNoneNeedsNoMxPattern() =>
        Assert.Equal(MtaStsMode.None, MtaStsPolicy.Parse("version: STSv1\nmode: none\nmax_age: 0\n", out _)?.Mode);

    [Theory]
    [InlineData("mail.example.com", true)]
    [InlineData("MAIL.Example.COM.", true)]
    [InlineData("mx1.example.net", true)]
    [InlineData("example.net", false)]
    [InlineData("a.b.example.net", false)]
    [InlineData("mail.example.com.evil.test", false)]
    [InlineData("other.example.com", false)]
    public void MxPatternsMatchExactNamesAndOneLeftmostLabelForAWildcard(string host, bool permitted)
    {
        var p = MtaStsPolicy.Parse("version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmax_age: 60\n", out _)!;
        Assert.Equal(permitted, p.Permits(host));
    }

    [Theory]
    [InlineData(new[] { "v=STSv1; id=20160831085700Z;" }, "20160831085700Z")]
    [InlineData(new[] { "v=STSv1;id=abc" }, "abc")]
    [InlineData(new[] { "some other record", "v=STSv1; id=x1 ; ext=1" }, "x1")]
    [InlineData(new[] { "v=STSv1; id=a", "v=STSv1; id=b" }, null)]
    [InlineData(new[] { "v=STSv1;" }, null)]
    [InlineData(new[] { "v=STSv1; id=has-dash" }, null)]
    [InlineData(new[] { "v=STSv10; id=a" }, null)]
    public void TheTxtRecordGivesThePolicyIdWhenExactlyOneValidRecordIsThere(string[] texts, string? id) =>
        Assert.Equal(id, LkaMtaSecurity.StsRecordId(texts));

    [Fact]
    public void AFingerprintIsLookedUpInEveryUsualSpelling()
    {
        var forms = CertFingerprintKeys.Of("SHA256:ABcd01").ToList();
        Assert.Equal(["SHA256:abcd01", "sha256:abcd01", "abcd01", "ab:cd:01", "AB:CD:01"], forms);
        Assert.Equal(forms, CertFingerprintKeys.Of("AB:CD:01"));
    }

    [Fact]
    public void AChunkedBodyIsPutTogetherAndAMalformedOneRefused()
    {
        var body = MtaStsFetcher.Dechunk(Encoding.ASCII.GetBytes("7\r\nversion\r\n9;ext=1\r\n: STSv1\r\n\r\n0\r\n\r\n"));
        Assert.Equal("version: STSv1\r\n", Encoding.ASCII.GetString(body!));
        Assert.Null(MtaStsFetcher.Dechunk(Encoding.ASCII.GetBytes("zz\r\nabc\r\n0\r\n\r\n")));
        Assert.Null(MtaStsFetcher.Dechunk(Encoding.ASCII.GetBytes("10\r\nshort\r\n")));
    }
}
