// A regex table whose pattern runs out of time fails the lookup temporarily: a reject list
// ("match mail-from regex <spammers> reject", a builtin filter's "match regex") must defer the
// mail when it cannot answer, not read the timeout as "no match" and let the mail through.
using Smtpd.Config;
using Smtpd.Lka;
using Smtpd.Tables;

namespace Smtpd.Tests.Security;

public class RegexTimeoutTests
{
    // Catastrophic backtracking: nested quantifiers over a key that almost matches.
    private const string SlowPattern = @"^(\w+\s?)*$";
    private static readonly string SlowKey = string.Concat(Enumerable.Repeat("abcde ", 12)) + "!";

    [Fact]
    public void ARegexThatRunsOutOfTimeIsATemporaryFailureNotNoMatch()
    {
        Assert.Equal(MatchResult.TempFail, KeyMatch.RegexResult(SlowKey, SlowPattern, TimeSpan.FromMilliseconds(50)));
        Assert.Equal(MatchResult.Match, KeyMatch.RegexResult("spam.example", "^spam", TimeSpan.FromMilliseconds(50)));
        Assert.Equal(MatchResult.NoMatch, KeyMatch.RegexResult("ham.example", "^spam", TimeSpan.FromMilliseconds(50)));
        Assert.Equal(MatchResult.NoMatch, KeyMatch.RegexResult("x", "(unclosed"));
    }

    [Fact]
    public void AStaticRegexTableFailsTemporarilyWhenOnlyASlowPatternCouldHaveMatched()
    {
        var table = new StaticTable("spammers", [(SlowPattern, null), ("^never$", null)]);
        Assert.Equal(MatchResult.TempFail, table.Match(TableService.Regex, SlowKey));

        // A pattern that matches still decides, whatever the slow one does.
        var both = new StaticTable("spammers", [(SlowPattern, null), ("!$", null)]);
        Assert.Equal(MatchResult.Match, both.Match(TableService.Regex, SlowKey));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ABuiltinFilterCheckOnASlowRegexFailsTemporarilyNegatedOrNot(bool negated)
    {
        var table = new StaticTable("spammers", [(SlowPattern, null)]);
        var check = new FilterCheck(FilterCheckKind.MailFrom, negated, true, TableRef.Named("spammers"));
        var session = new FilterSession(1, []) { MailFrom = SlowKey };
        Assert.Equal(MatchResult.TempFail, FilterBuiltins.Evaluate(check, session, string.Empty, _ => table));
        Assert.False(FilterBuiltins.Matches(check, session, string.Empty, _ => table));
    }
}
