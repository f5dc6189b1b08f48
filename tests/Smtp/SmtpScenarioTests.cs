// Runs every test case of every tests/Scenarios/*.smtp file against an in-memory session.
using System.Runtime.CompilerServices;

namespace Smtpd.Tests.Smtp;

public class SmtpScenarioTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string file in Directory.GetFiles(ScenarioDirectory(), "*.smtp").Order(StringComparer.Ordinal))
        {
            foreach (SmtpScenario scenario in SmtpScenario.Parse(file))
            {
                data.Add(Path.GetFileName(file), scenario.Name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ScenarioPasses(string file, string name)
    {
        SmtpScenario scenario = SmtpScenario.Parse(Path.Combine(ScenarioDirectory(), file)).Single(s => s.Name == name);
        await scenario.RunAsync();
    }

    [Fact]
    public void ThereAreScenarios()
    {
        Assert.True(Cases().Count >= 10);
    }

    /// <summary>The scenarios live in the source tree; the test project does not copy them.</summary>
    private static string ScenarioDirectory([CallerFilePath] string self = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(self)!, "..", "Scenarios"));
}
