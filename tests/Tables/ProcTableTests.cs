// External table programs speaking smtpd-tables(7) 0.1: a small shell script answers lookups;
// one that dies, hangs or talks nonsense gives temporary failures and is replaced later.
using Smtpd.Tables;
using Smtpd.Tests.Mda;

namespace Smtpd.Tests.Tables;

public sealed class ProcTableTests : IDisposable
{
    // Registers domain and alias; answers example.org (domain) and root (alias), and misbehaves
    // on request for the keys "die", "garbage", "slow" and "err" (alone or as the user of an address).
    internal const string Script = """
        #!/bin/sh
        while IFS= read -r line; do
          [ "$line" = "config|ready" ] && break
        done
        echo "register|domain"
        echo "register|alias"
        echo "register|ready"
        while IFS='|' read -r kind version ts name op service id key; do
          if [ "$op" = update ]; then echo "update-result|$service|ok"; continue; fi
          case "$key" in
            die|die@*) exit 3 ;;
            garbage|garbage@*) echo "hello there"; continue ;;
            slow|slow@*) sleep 5 ;;
            err|err@*) echo "$op-result|$id|error|backend offline"; continue ;;
          esac
          value=""
          [ "$service|$key" = "domain|example.org" ] && value="yes"
          [ "$service|$key" = "alias|root" ] && value="alice, bob"
          if [ -z "$value" ]; then echo "$op-result|$id|not-found"
          elif [ "$op" = check ]; then echo "$op-result|$id|found"
          else echo "$op-result|$id|found|$value"; fi
        done
        """;

    private readonly TempDir _dir = new();

    public ProcTableTests()
    {
        File.WriteAllText(Program, Script.Replace("\r", string.Empty, StringComparison.Ordinal) + "\n");
        File.SetUnixFileMode(Program, (UnixFileMode)0b111_101_101);
    }

    private string Program => Path.Combine(_dir.Path, "table-test");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void KeysReachTheProgramLowerCasedAsOpenSmtpdSendsThem()
    {
        using var table = new ProcTable("t", Program, null);
        Assert.Equal(MatchResult.Match, table.Match(TableService.Domain, "Example.ORG"));
        Assert.Equal((MatchResult.Match, "alice, bob"), table.Lookup(TableService.Alias, "Root"));
    }

    [Fact]
    public void LookupsAndChecksAreAnsweredForTheRegisteredServices()
    {
        using var table = new ProcTable("t", Program, null);
        Assert.Equal(MatchResult.Match, table.Match(TableService.Domain, "example.org"));
        Assert.Equal(MatchResult.NoMatch, table.Match(TableService.Domain, "example.com"));
        Assert.Equal((MatchResult.Match, "alice, bob"), table.Lookup(TableService.Alias, "root"));
        Assert.Equal((MatchResult.NoMatch, null), table.Lookup(TableService.Alias, "nobody"));
        Assert.Equal(TableService.Domain | TableService.Alias, table.Services);
    }

    [Fact]
    public void StartingDoesTheHandshakeAndLearnsTheServices()
    {
        using var table = new ProcTable("t", Program, null);
        Assert.True(table.Start());
        Assert.Equal(TableService.Domain | TableService.Alias, table.Services);
    }

    [Fact]
    public void AnUpdateIsSentToTheProgramWhichKeepsRunning()
    {
        using var table = new ProcTable("t", Program, null);
        Assert.Equal((true, string.Empty), table.Update());
        Assert.Equal(MatchResult.Match, table.Match(TableService.Domain, "example.org"));
    }

    [Fact]
    public void AServiceTheProgramDidNotRegisterIsATemporaryFailure()
    {
        using var table = new ProcTable("t", Program, null);
        Assert.Equal(MatchResult.TempFail, table.Match(TableService.Netaddr, "127.0.0.1"));
    }

    [Fact]
    public void AnErrorAnswerIsATemporaryFailureAndTheProgramKeepsServing()
    {
        using var table = new ProcTable("t", Program, null);
        Assert.Equal(MatchResult.TempFail, table.Match(TableService.Domain, "err"));
        Assert.Equal(MatchResult.Match, table.Match(TableService.Domain, "example.org"));
    }

    [Theory]
    [InlineData("die")]
    [InlineData("garbage")]
    [InlineData("slow")]
    public void AProgramThatDiesHangsOrTalksNonsenseGivesATemporaryFailure(string key)
    {
        using var table = new ProcTable("t", Program, null, TimeSpan.FromSeconds(1));
        Assert.Equal(MatchResult.Match, table.Match(TableService.Domain, "example.org"));
        Assert.Equal(MatchResult.TempFail, table.Match(TableService.Domain, key));

        // The broken program is gone, and a new one is not started at once.
        Assert.Equal(MatchResult.TempFail, table.Match(TableService.Domain, "example.org"));
    }

    [Fact]
    public void AKeyWithANewlineIsNeverSentToTheProgram()
    {
        using var table = new ProcTable("t", Program, null);
        Assert.Equal(MatchResult.TempFail, table.Match(TableService.Domain, "example.org\ntable|0.1|0|t|check|domain|1|x"));
        Assert.Equal(MatchResult.Match, table.Match(TableService.Domain, "example.org"));
    }

    [Fact]
    public void AProgramThatCannotRunOrFailsTheHandshakeIsATemporaryFailure()
    {
        using var missing = new ProcTable("t", Path.Combine(_dir.Path, "nope"), null);
        Assert.Equal(MatchResult.TempFail, missing.Match(TableService.Domain, "example.org"));

        string bad = Path.Combine(_dir.Path, "table-bad");
        File.WriteAllText(bad, "#!/bin/sh\necho 'register|nonsense'\nsleep 5\n");
        File.SetUnixFileMode(bad, (UnixFileMode)0b111_101_101);
        using var table = new ProcTable("t", bad, null, TimeSpan.FromSeconds(2));
        Assert.Equal(MatchResult.TempFail, table.Match(TableService.Domain, "example.org"));
    }
}
