// The sqlite: backend: a table-sqlite configuration file and a database answer every service
// as table-sqlite does; a missing or broken file, database or query is a temporary failure with
// the reason kept (and logged), and the table recovers once the cause is fixed.
using Smtpd.Config;
using Smtpd.Tables;
using Smtpd.Tests.Mda;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.Tables;

public sealed class SqliteTableTests : IDisposable
{
    private const string Schema = """
        CREATE TABLE virtuals (email TEXT, destination TEXT);
        INSERT INTO virtuals VALUES ('root', 'alice'), ('postmaster', 'root'), ('postmaster', 'bob@example.org');
        CREATE TABLE domains (domain TEXT);
        INSERT INTO domains VALUES ('example.org');
        CREATE TABLE credentials (email TEXT, password TEXT);
        INSERT INTO credentials VALUES ('bob@example.org', '$2b$08$hash');
        CREATE TABLE netaddrs (address TEXT);
        INSERT INTO netaddrs VALUES ('192.168.1.1');
        CREATE TABLE users (name TEXT, uid INTEGER, gid INTEGER, home TEXT);
        INSERT INTO users VALUES ('vmail', 2000, 2001, '/var/vmail'), ('textids', '3000', '3001', '/home/t'), ('broken', 'x', 1, '/x'), ('root', -1, 0, '/root');
        CREATE TABLE sources (address TEXT);
        INSERT INTO sources VALUES ('192.0.2.1');
        CREATE TABLE mailaddrs (address TEXT);
        INSERT INTO mailaddrs VALUES ('bob@example.org');
        CREATE TABLE addrnames (address TEXT, name TEXT);
        INSERT INTO addrnames VALUES ('192.0.2.1', 'mx.example.org');
        CREATE TABLE senders (user TEXT, address TEXT);
        INSERT INTO senders VALUES ('bob', 'bob@example.org'), ('bob', 'b@example.org');
        """;

    private const string Queries = """
        # every service table-sqlite knows
        query_alias SELECT destination FROM virtuals WHERE email=? ORDER BY rowid;
        query_domain SELECT domain FROM domains WHERE domain=?
        query_credentials: SELECT email, password FROM credentials WHERE email=?
        query_netaddr : SELECT address FROM netaddrs WHERE address=?
        query_userinfo	SELECT uid, gid, home FROM users WHERE name=?
        query_source SELECT address FROM sources WHERE address=?
        query_mailaddr SELECT address FROM mailaddrs WHERE address=?
        query_addrname SELECT name FROM addrnames WHERE address=?
        query_mailaddrmap SELECT address FROM senders WHERE user=? ORDER BY rowid
        fetch_source SELECT address FROM sources
        """;

    private readonly TempDir _dir = new();

    public SqliteTableTests() => SqliteFile.Exec(Db, Schema);

    private string Db => Path.Combine(_dir.Path, "smtp.sqlite");

    private string Conf => Path.Combine(_dir.Path, "sqlite.conf");

    public void Dispose() => _dir.Dispose();

    private SqliteTable Open(string? conf = null)
    {
        File.WriteAllText(Conf, conf ?? $"dbpath {Db}\n{Queries}\n");
        var table = new SqliteTable("t", Conf);
        table.Open();
        return table;
    }

    [Theory]
    [InlineData("alias", "root", "alice")]
    [InlineData("alias", "postmaster", "root, bob@example.org")]
    [InlineData("domain", "example.org", "example.org")]
    [InlineData("credentials", "bob@example.org", "bob@example.org:$2b$08$hash")]
    [InlineData("netaddr", "192.168.1.1", "192.168.1.1")]
    [InlineData("userinfo", "vmail", "2000:2001:/var/vmail")]
    [InlineData("userinfo", "textids", "3000:3001:/home/t")]
    [InlineData("source", "192.0.2.1", "192.0.2.1")]
    [InlineData("mailaddr", "bob@example.org", "bob@example.org")]
    [InlineData("addrname", "192.0.2.1", "mx.example.org")]
    [InlineData("mailaddrmap", "bob", "bob@example.org, b@example.org")]
    public void EachServiceIsAnsweredByItsQueryWithTheValueTableSqliteBuilds(string serviceName, string key, string value)
    {
        using var table = Open();
        var service = ProcTable.ServiceFromName(serviceName);
        Assert.Null(table.LastError);
        Assert.Equal((MatchResult.Match, value), table.Lookup(service, key));
        Assert.Equal(MatchResult.Match, table.Match(service, key));
        Assert.Equal((MatchResult.NoMatch, null), table.Lookup(service, "nothing@example.net"));
        Assert.Equal(MatchResult.NoMatch, table.Match(service, "nothing@example.net"));
    }

    [Fact]
    public void KeysAreLowerCasedAsOpenSmtpdDoesBeforeAnyBackendSeesThem()
    {
        using var table = Open();
        Assert.Equal((MatchResult.Match, "alice"), table.Lookup(TableService.Alias, "ROOT"));
        Assert.Equal(MatchResult.Match, table.Match(TableService.Domain, "Example.ORG"));
    }

    [Fact]
    public void UserinfoIdsThatAreNotWholeNumbersAreATemporaryFailureNotRoot()
    {
        using var table = Open();
        Assert.Equal((MatchResult.TempFail, null), table.Lookup(TableService.Userinfo, "broken"));
        Assert.Equal((MatchResult.TempFail, null), table.Lookup(TableService.Userinfo, "root"));
    }

    [Fact]
    public void AServiceWithoutAQueryIsATemporaryFailure()
    {
        using var table = Open($"dbpath {Db}\nquery_domain SELECT domain FROM domains WHERE domain=?\n");
        Assert.Equal(MatchResult.Match, table.Match(TableService.Domain, "example.org"));
        Assert.Equal((MatchResult.TempFail, null), table.Lookup(TableService.Alias, "root"));
        Assert.Equal(MatchResult.TempFail, table.Match(TableService.String, "example.org"));
        Assert.Equal(MatchResult.TempFail, table.Match(TableService.Regex, "example.org"));
    }

    [Fact]
    public void AMissingDatabaseIsATemporaryFailureUntilItAppears()
    {
        string later = Path.Combine(_dir.Path, "later.sqlite");
        using var table = Open($"dbpath {later}\nquery_domain SELECT domain FROM domains WHERE domain=?\n");
        Assert.Equal(MatchResult.TempFail, table.Match(TableService.Domain, "example.org"));
        Assert.Equal($"{later}: unable to open database file (No such file or directory)", table.LastError);

        SqliteFile.Exec(later, "CREATE TABLE domains (domain TEXT); INSERT INTO domains VALUES ('example.org');");
        Assert.Equal(MatchResult.Match, table.Match(TableService.Domain, "example.org"));
        Assert.Null(table.LastError);
    }

    [Fact]
    public void AMissingConfigurationFileIsATemporaryFailure()
    {
        var table = new SqliteTable("t", Path.Combine(_dir.Path, "none.conf"));
        Assert.False(table.Open());
        Assert.Equal((MatchResult.TempFail, null), table.Lookup(TableService.Alias, "root"));
        Assert.Equal($"{_dir.Path}/none.conf: no such file", table.LastError);
    }

    [Fact]
    public void AFileThatIsNotASqliteDatabaseIsATemporaryFailure()
    {
        File.WriteAllText(Db, "example.org\n");
        using var table = Open();
        Assert.Equal(MatchResult.TempFail, table.Match(TableService.Domain, "example.org"));
        Assert.Contains("not a database", table.LastError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("query_alias SELECT destination FROM nosuch WHERE email=?", "query_alias: no such table: nosuch")]
    [InlineData("query_alias SELEC destination FROM virtuals WHERE email=?", "query_alias: near \"SELEC\": syntax error")]
    [InlineData("query_alias SELECT email, destination FROM virtuals WHERE email=?", "query_alias: the query returns 2 columns, 1 expected")]
    [InlineData("query_userinfo SELECT uid, gid FROM users WHERE name=?", "query_userinfo: the query returns 2 columns, 3 expected")]
    [InlineData("query_alias SELECT destination FROM virtuals", "query_alias: the query takes 0 parameters, the key is its only one")]
    [InlineData("query_alias SELECT destination FROM virtuals WHERE email=? OR destination=?", "query_alias: the query takes 2 parameters, the key is its only one")]
    [InlineData("query_alias SELECT destination FROM virtuals WHERE email=?; DELETE FROM virtuals", "query_alias: more than one SQL statement")]
    [InlineData("fetch_source SELECT address FROM sources WHERE address=?", "fetch_source: the query takes 1 parameters, none expected")]
    public void ABadQueryMakesTheWholeTableATemporaryFailure(string line, string error)
    {
        using var table = Open($"dbpath {Db}\nquery_domain SELECT domain FROM domains WHERE domain=?\n{line}\n");
        Assert.Equal(MatchResult.TempFail, table.Match(TableService.Domain, "example.org"));
        Assert.Equal(error, table.LastError);
    }

    [Fact]
    public void NamedAndNumberedParametersAndTrailingCommentsAreAccepted()
    {
        using var table = Open($"dbpath {Db}\nquery_alias SELECT destination FROM virtuals WHERE email=:key OR email=?1; -- the key twice\n");
        Assert.Equal((MatchResult.Match, "alice"), table.Lookup(TableService.Alias, "root"));
    }

    [Fact]
    public void AConfigurationErrorIsATemporaryFailureNamingTheLine()
    {
        using var table = Open($"dbpath {Db}\nquery_domain SELECT domain FROM domains WHERE domain=?\nquery_aliases SELECT 1\n");
        Assert.Equal(MatchResult.TempFail, table.Match(TableService.Domain, "example.org"));
        Assert.Equal($"{Conf}:3: unknown directive \"query_aliases\"", table.LastError);
    }

    [Fact]
    public void AQueryFailingAtLookupTimeIsATemporaryFailureAndTheTableStaysOpen()
    {
        using var table = Open();
        SqliteFile.Exec(Db, "ALTER TABLE domains RENAME TO old_domains;");
        Assert.Equal(MatchResult.TempFail, table.Match(TableService.Domain, "example.org"));
        Assert.Null(table.LastError);
        Assert.Equal((MatchResult.Match, "alice"), table.Lookup(TableService.Alias, "root"));
    }

    [Fact]
    public void RowsCommittedWhileTheTableIsOpenAreSeenByTheNextLookup()
    {
        using var table = Open();
        Assert.Equal(MatchResult.NoMatch, table.Match(TableService.Domain, "example.net"));
        SqliteFile.Exec(Db, "INSERT INTO domains VALUES ('example.net');");
        Assert.Equal(MatchResult.Match, table.Match(TableService.Domain, "example.net"));
    }

    [Fact]
    public void UpdateTableReopensTheDatabaseAndABrokenUpdateKeepsTheOldOne()
    {
        File.WriteAllText(Conf, $"dbpath {Db}\nquery_domain SELECT domain FROM domains WHERE domain=?\n");
        var config = ConfigLoader.LoadFromString($"table d sqlite:{Conf}\naction \"l\" maildir\nmatch for domain <d> action \"l\"\n", "t.conf");
        Assert.Empty(config.Errors);
        var set = new TableSet(config.Config!, "mx.example.org", []);
        var named = new TableRef { Name = "d" };
        Assert.Equal(MatchResult.Match, set.Resolve(named).Match(TableService.Domain, "example.org"));

        // A new file renamed over the old one: the open handle still reads the old inode.
        string next = SqliteFile.Exec(Path.Combine(_dir.Path, "next.sqlite"), "CREATE TABLE domains (domain TEXT); INSERT INTO domains VALUES ('example.com');");
        File.Move(next, Db, overwrite: true);
        Assert.Equal(MatchResult.Match, set.Resolve(named).Match(TableService.Domain, "example.org"));
        Assert.Equal((true, string.Empty), set.Update("d"));
        Assert.Equal(MatchResult.NoMatch, set.Resolve(named).Match(TableService.Domain, "example.org"));
        Assert.Equal(MatchResult.Match, set.Resolve(named).Match(TableService.Domain, "example.com"));

        File.WriteAllText(Conf, $"dbpath {Db}\nquery_domain SELECT domain FROM nosuch WHERE domain=?\n");
        Assert.Equal((false, "query_domain: no such table: nosuch"), set.Update("d"));
        Assert.Equal(MatchResult.Match, set.Resolve(named).Match(TableService.Domain, "example.com"));
    }

    [Fact]
    public void ATableSetStartsABrokenSqliteTableAsATemporaryFailure()
    {
        var config = ConfigLoader.LoadFromString($"table d sqlite:{_dir.Path}/missing.conf\naction \"l\" maildir\nmatch for domain <d> action \"l\"\n", "t.conf");
        Assert.Empty(config.Errors);
        var set = new TableSet(config.Config!, "mx.example.org", []);
        Assert.Equal(MatchResult.TempFail, set.Resolve(new TableRef { Name = "d" }).Match(TableService.Domain, "example.org"));
    }
}
