namespace Smtpd.Tests;

public class SmokeTests
{
    [Fact]
    public void TestProjectRuns() => Assert.True(true);
}
