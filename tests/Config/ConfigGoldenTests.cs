// Golden tests: every valid configuration prints as its .expected file; every invalid one reports
// exactly the diagnostics its .expected file lists.
namespace Smtpd.Tests.Config;

using Smtpd.Config;

public sealed class ConfigGoldenTests
{
    public static TheoryData<string> ValidFiles => GoldenCorpus.Files("valid");

    public static TheoryData<string> InvalidFiles => GoldenCorpus.Files("invalid");

    [Fact]
    public void CorpusIsLargeEnough()
    {
        Assert.True(ValidFiles.Count >= 60, $"only {ValidFiles.Count} valid configurations");
        Assert.True(InvalidFiles.Count >= 30, $"only {InvalidFiles.Count} invalid configurations");
    }

    [Theory]
    [MemberData(nameof(ValidFiles))]
    public void ValidConfigurationPrintsAsGolden(string name)
    {
        var result = GoldenCorpus.Load("valid", name);
        Assert.True(result.Success, string.Join('\n', result.Errors.Select(e => GoldenCorpus.Relative(e, "valid"))));
        var actual = Render(result);
        if (GoldenCorpus.Update)
        {
            GoldenCorpus.Write("valid", name, actual);
            return;
        }
        Assert.Equal(GoldenCorpus.Expected("valid", name), actual);
    }

    [Theory]
    [MemberData(nameof(InvalidFiles))]
    public void InvalidConfigurationReportsGoldenErrors(string name)
    {
        var result = GoldenCorpus.Load("invalid", name);
        Assert.False(result.Success);
        Assert.Null(result.Config);
        var actual = string.Concat(result.Errors.Select(e => GoldenCorpus.Relative(e, "invalid") + "\n"));
        if (GoldenCorpus.Update)
        {
            GoldenCorpus.Write("invalid", name, actual);
            return;
        }
        Assert.Equal(GoldenCorpus.Expected("invalid", name), actual);
    }

    // Notices go first, as comments, so the .expected file is itself a configuration that loads.
    private static string Render(ConfigLoadResult result) =>
        string.Concat(result.Notices.Select(n => "# notice: " + GoldenCorpus.Relative(n, "valid") + "\n"))
        + ConfigPrinter.Print(result.Config!);
}
