// A generated configuration with a thousand rules parses correctly (timing belongs to a benchmark).
namespace Smtpd.Tests.Config;

using System.Text;
using Smtpd.Config;

public sealed class LargeConfigTests
{
    [Fact]
    public void ThousandMatchRulesParse()
    {
        var sb = new StringBuilder();
        sb.Append("table nets { 10.0.0.0/8, 192.168.0.0/16 }\n");
        sb.Append("action \"local\" mbox\naction \"out\" relay\n");
        for (var i = 0; i < 1000; i++)
        {
            sb.Append(i % 2 == 0
                ? $"match from src <nets> for domain \"d{i}.example\" action \"out\"\n"
                : $"match from any for rcpt-to \"user{i}@example.org\" tag \"T{i}\" action \"local\"\n");
        }
        var result = ConfigLoader.LoadFromString(sb.ToString(), "big.conf");
        Assert.True(result.Success, string.Join('\n', result.Errors.Take(5)));
        Assert.Equal(1000, result.Config!.Rules.Count);
        Assert.Equal("d998.example", result.Config.Rules[998].Criteria[1].Table!.Inline[0].Key);
        Assert.Equal(1003, result.Config.Rules[^1].Where.Line);
    }
}
