// The db: backend: maps written by our makemap and by OpenSMTPD's, read for every service the
// static backend answers; missing or unreadable files answer TempFail; a rewritten file is seen.
using Smtpd.Tables;
using Smtpd.Tests.Mda;

namespace Smtpd.Tests.Tables;

public class DbTableTests
{
    private static readonly string Fixture = Path.Combine(AppContext.BaseDirectory, "Tables", "Fixtures", "opensmtpd-map.db");

    // The loader refuses a configuration without rules.
    private const string Rules = "action \"l\" maildir\nmatch from src <good> for domain <bad> action \"l\"\n";

    internal static string MakeDb(string dir, string name, params (string Key, string Value)[] entries)
    {
        string path = Path.Combine(dir, name);
        using var db = DbFile.Open(path, write: true);
        foreach (var (k, v) in entries)
        {
            Assert.True(db.Add(k, v));
        }

        Assert.True(db.Close());
        return path;
    }

    [Theory]
    [InlineData("alias", "root", "Match", "alice")]
    [InlineData("alias", "ROOT", "Match", "alice")]
    [InlineData("alias", "postmaster", "Match", "root, bob@example.org")]
    [InlineData("alias", "nobody", "NoMatch", null)]
    [InlineData("string", "example.org", "Match", "mx1.example.org")]
    [InlineData("domain", "mx.example.net", "Match", "relay.example.net")]
    [InlineData("domain", "example.net", "NoMatch", null)]
    [InlineData("netaddr", "192.168.4.5", "Match", "lan")]
    [InlineData("netaddr", "10.0.0.1", "NoMatch", null)]
    [InlineData("mailaddr", "carol@example.com", "Match", "catchall")]
    [InlineData("mailaddr", "carol@example.net", "NoMatch", null)]
    public void AMapWrittenByOpenSmtpdsMakemapIsReadForEachService(string serviceName, string key, string resultName, string? value)
    {
        var service = ProcTable.ServiceFromName(serviceName);
        var result = resultName == "Match" ? MatchResult.Match : MatchResult.NoMatch;
        var table = new DbTable("map", Fixture);
        Assert.Equal((result, value), table.Lookup(service, key));
        Assert.Equal(result, table.Match(service, key));
    }

    [Fact]
    public void KeysAndValuesAreStoredWithTheirNulAsOpenSmtpdDoes()
    {
        using var dir = new TempDir();
        string path = MakeDb(dir.Path, "t.db", ("key", "value"));
        byte[] raw = File.ReadAllBytes(path);
        Assert.True(raw.AsSpan().IndexOf("key\0"u8) >= 0 || raw.AsSpan().IndexOf("value\0"u8) >= 0);
        Assert.Equal((MatchResult.Match, "value"), new DbTable("t", path).Lookup(TableService.String, "key"));
    }

    [Fact]
    public void AMissingFileIsATemporaryFailureNotANoMatch()
    {
        var table = new DbTable("gone", "/nonexistent/map.db");
        Assert.Equal(MatchResult.TempFail, table.Match(TableService.Domain, "example.org"));
        Assert.Contains("/nonexistent/map.db", table.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileThatIsNotABerkeleyDbIsATemporaryFailure()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "junk.db");
        File.WriteAllText(path, "example.org\n");
        Assert.Equal((MatchResult.TempFail, null), new DbTable("junk", path).Lookup(TableService.String, "example.org"));
    }

    [Fact]
    public void AMapRewrittenOnDiskIsSeenByTheNextLookup()
    {
        using var dir = new TempDir();
        string path = MakeDb(dir.Path, "t.db", ("old.example", "1"));
        var table = new DbTable("t", path);
        Assert.Equal(MatchResult.Match, table.Match(TableService.Domain, "old.example"));

        string next = MakeDb(dir.Path, "next.db", ("new.example", "2"));
        File.Move(next, path, overwrite: true);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        Assert.Equal(MatchResult.NoMatch, table.Match(TableService.Domain, "old.example"));
        Assert.Equal(MatchResult.Match, table.Match(TableService.Domain, "new.example"));
    }

    [Fact]
    public void ATableSetBuildsDbTablesAndAMissingMapDefersUntilItIsWritten()
    {
        using var dir = new TempDir();
        string path = MakeDb(dir.Path, "d.db", ("example.org", "x"));
        var config = Smtpd.Config.ConfigLoader.LoadFromString($"table good db:{path}\ntable bad db:{dir.Path}/missing.db\n" + Rules, "t.conf").Config!;
        var set = new TableSet(config, "mx.example.org", []);
        Assert.Equal(MatchResult.Match, set.Resolve(new Smtpd.Config.TableRef { Name = "good" }).Match(TableService.Domain, "example.org"));
        var bad = set.Resolve(new Smtpd.Config.TableRef { Name = "bad" });
        Assert.Equal(MatchResult.TempFail, bad.Match(TableService.Domain, "example.org"));
        Assert.False(set.Update("bad").Ok);

        MakeDb(dir.Path, "missing.db", ("example.org", "y"));
        Assert.Equal(MatchResult.Match, bad.Match(TableService.Domain, "example.org"));
        Assert.Equal((true, string.Empty), set.Update("bad"));
    }
}
