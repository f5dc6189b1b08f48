// The passwd backend: table-passwd's file format, its two services, and a broken file or entry
// as a temporary failure naming file:line.
using Smtpd.Tables;

namespace Smtpd.Tests.Tables;

public sealed class PasswdTableTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("smtpd-passwd-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void CredentialsAreUserColonHashAndUserinfoIsUidGidHome()
    {
        var table = Load("""
            # virtual users
            alice:$6$salt$hash:1001:1002:Alice A.:/var/vmail/alice:/sbin/nologin
            bob:{SHA512-CRYPT}x:2000:2000::/home/bob   # no shell, trailing comment

            carol:$2b$hash:3000:3000::/srv/carol::userdb_quota=1G:extra
            """);
        Assert.Equal((MatchResult.Match, "alice:$6$salt$hash"), table.Lookup(TableService.Credentials, "alice"));
        Assert.Equal((MatchResult.Match, "1001:1002:/var/vmail/alice"), table.Lookup(TableService.Userinfo, "alice"));
        Assert.Equal((MatchResult.Match, "2000:2000:/home/bob   "), table.Lookup(TableService.Userinfo, "bob"));
        Assert.Equal((MatchResult.Match, "3000:3000:/srv/carol"), table.Lookup(TableService.Userinfo, "carol"));
        Assert.Equal((MatchResult.NoMatch, (string?)null), table.Lookup(TableService.Credentials, "mallory"));
        Assert.Equal(MatchResult.Match, table.Match(TableService.Userinfo, "carol"));
    }

    [Fact]
    public void ALaterEntryForTheSameUserWins() =>
        Assert.Equal((MatchResult.Match, "a:new"), Load("a:old:1:1::/h\na:new:2:2::/h\n").Lookup(TableService.Credentials, "a"));

    [Theory]
    [InlineData("alice:x:1:1:gecos\n", 1)]
    [InlineData("# ok\nok:x:1:1::/h\n:x:1:1::/h\n", 3)]
    [InlineData("just-a-name\n", 1)]
    public void AMalformedLineMakesTheTableUnavailableNamingFileAndLine(string text, int line)
    {
        var table = Load(text);
        var unavailable = Assert.IsType<UnavailableTable>(table);
        Assert.StartsWith($"{Path.Combine(_dir, "passwd")}:{line}: invalid entry", unavailable.Reason, StringComparison.Ordinal);
        Assert.Equal(MatchResult.TempFail, table.Match(TableService.Credentials, "ok"));
    }

    [Fact]
    public void AnOverlongLineIsRefused() =>
        Assert.Contains(":1: line too long", Assert.IsType<UnavailableTable>(Load($"a:{new string('x', 3000)}:1:1::/h\n")).Reason, StringComparison.Ordinal);

    [Fact]
    public void AMissingFileIsUnavailable() =>
        Assert.Equal(MatchResult.TempFail, PasswdTable.Load("pw", Path.Combine(_dir, "absent")).Match(TableService.Userinfo, "a"));

    [Theory]
    [InlineData("a::1:1::/h", "credentials")]
    [InlineData("a:x:one:1::/h", "userinfo")]
    [InlineData("a:x:1::::/h", "userinfo")]
    [InlineData("a:x:1:1::", "userinfo")]
    [InlineData("a:x:-1:1::/h", "userinfo")]
    [InlineData("a:x:99999999999:1::/h", "userinfo")]
    public void AnEntryLackingWhatTheServiceNeedsIsATemporaryFailure(string line, string service) =>
        Assert.Equal(MatchResult.TempFail, Load(line + "\n").Match(ProcTable.ServiceFromName(service), "a"));

    [Theory]
    [InlineData("alias")]
    [InlineData("domain")]
    [InlineData("mailaddr")]
    public void OtherServicesCannotBeAnswered(string service) =>
        Assert.Equal(MatchResult.TempFail, Load("a:x:1:1::/h\n").Match(ProcTable.ServiceFromName(service), "a"));

    private ITable Load(string text)
    {
        string path = Path.Combine(_dir, "passwd");
        File.WriteAllText(path, text);
        return PasswdTable.Load("pw", path);
    }
}
