// table-sqlite's configuration format, and what the checker makes of a sqlite: table: the file's
// mistakes and uses for services it has no query for are configuration errors; a file it cannot
// read is left for the table to report at run time.
using Smtpd.Config;
using Smtpd.Tests.Mda;

namespace Smtpd.Tests.Config;

public sealed class SqliteTableConfigTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Conf => Path.Combine(_dir.Path, "sqlite.conf");

    [Fact]
    public void DirectivesAreReadInEachSpellingTableSqliteAccepts()
    {
        var config = SqliteTableConfig.Parse("""
            # comment
              dbpath: /var/db/smtp.sqlite

            query_alias SELECT a FROM t WHERE k=?  # not a comment
            query_domain	SELECT d FROM t WHERE d = ?
            query_userinfo : SELECT 1, 2, '/' WHERE ?
            fetch_source SELECT s FROM t
            fetch_source_expire 30
            fetch_source_refresh 5
            """.Replace("\n", "\r\n", StringComparison.Ordinal));
        Assert.Empty(config.Problems);
        Assert.Equal("/var/db/smtp.sqlite", config.DbPath);
        Assert.Equal("SELECT a FROM t WHERE k=?  # not a comment", config.Queries["alias"]);
        Assert.Equal("SELECT d FROM t WHERE d = ?", config.Queries["domain"]);
        Assert.Equal("SELECT 1, 2, '/' WHERE ?", config.Queries["userinfo"]);
        Assert.Equal("SELECT s FROM t", config.FetchSource);
        Assert.True(config.Provides("alias"));
        Assert.True(config.Provides("source"));
        Assert.False(config.Provides("credentials"));
    }

    [Theory]
    [InlineData("dbpath /x\nquery_aliases SELECT 1", "2: unknown directive \"query_aliases\"")]
    [InlineData("dbpath /x\nquery_string SELECT 1", "2: unknown directive \"query_string\"")]
    [InlineData("dbpath /x\nquery_alias", "2: missing value for query_alias")]
    [InlineData("dbpath /x\nquery_alias SELECT 1\nquery_alias SELECT 2", "3: duplicate query_alias")]
    [InlineData("dbpath /x\ndbpath /y", "2: duplicate dbpath")]
    [InlineData("dbpath relative.sqlite", "1: dbpath \"relative.sqlite\" is not an absolute path")]
    [InlineData("dbpath /x\nfetch_source_expire soon", "2: bad value for fetch_source_expire: \"soon\" is not a number from 0 to 2147483647")]
    [InlineData("dbpath /x\nfetch_source_refresh -1", "2: bad value for fetch_source_refresh: \"-1\" is not a number from 0 to 2147483647")]
    [InlineData("query_alias SELECT 1", "0: no dbpath: the database file is not named")]
    [InlineData("", "0: no dbpath: the database file is not named")]
    public void MistakesAreReportedWithTheirLine(string text, string problem)
    {
        var config = SqliteTableConfig.Parse(text);
        Assert.Equal([problem], config.Problems.Select(p => $"{p.Line}: {p.Message}"));
    }

    [Fact]
    public void TheSourceUseNeedsFetchSourceAndOtherServicesTheirQuery()
    {
        Assert.Equal("fetch_source", SqliteTableConfig.DirectiveFor("source"));
        Assert.Equal("query_mailaddrmap", SqliteTableConfig.DirectiveFor("mailaddrmap"));
        Assert.Null(SqliteTableConfig.DirectiveFor("string"));
        Assert.Null(SqliteTableConfig.DirectiveFor("relayhost"));
        var onlyQuery = SqliteTableConfig.Parse("dbpath /x\nquery_source SELECT s FROM t WHERE s=?");
        Assert.False(onlyQuery.Provides("source"));
    }

    private static List<string> Check(string smtpdConf) =>
        ConfigLoader.LoadFromString(smtpdConf, "smtpd.conf").Errors.Select(e => e.ToString()).ToList();

    [Fact]
    public void UsesTheFileHasQueriesForAreAccepted()
    {
        File.WriteAllText(Conf, "dbpath /var/db/smtp.sqlite\nquery_domain SELECT 1 WHERE ?\nquery_alias SELECT 1 WHERE ?\nquery_userinfo SELECT 1, 2, 3 WHERE ?\n");
        Assert.Empty(Check($"table t sqlite:{Conf}\naction \"l\" maildir virtual <t> userbase <t>\nmatch for domain <t> action \"l\"\n"));
    }

    [Fact]
    public void AUseWithoutItsQueryOrOfAServiceSqliteLacksIsAConfigurationError()
    {
        File.WriteAllText(Conf, "dbpath /var/db/smtp.sqlite\nquery_domain SELECT 1 WHERE ?\nquery_source SELECT 1 WHERE ?\n");
        Assert.Equal(
            [
                $"smtpd.conf:2: table \"t\" may not be used for alias lookups: {Conf} has no query_alias",
                $"smtpd.conf:3: table \"t\" may not be used for source lookups: {Conf} has no fetch_source",
                "smtpd.conf:4: table \"t\" may not be used for \"tag\" lookups: backend \"sqlite\" does not provide the string service",
            ],
            Check($"table t sqlite:{Conf}\naction \"l\" maildir alias <t>\naction \"r\" relay src <t>\nmatch for domain <t> tag <t> action \"l\"\n"));
    }

    /// <summary>OpenSMTPD 7.8 accepts a userbase whose sqlite file has no query_userinfo (its
    /// table-sqlite is asked only when a delivery needs the user): accepted here too, with a notice.</summary>
    [Fact]
    public void AUserbaseWithoutQueryUserinfoIsAcceptedWithANotice()
    {
        File.WriteAllText(Conf, "dbpath /var/db/smtp.sqlite\nquery_domain SELECT 1 WHERE ?\nquery_alias SELECT 1 WHERE ?\n");
        var result = ConfigLoader.LoadFromString($"table t sqlite:{Conf}\naction \"l\" maildir virtual <t> userbase <t>\nmatch for domain <t> action \"l\"\n", "smtpd.conf");
        Assert.Empty(result.Errors);
        Assert.NotNull(result.Config);
        Assert.Equal(
            [$"smtpd.conf:2: warning: table \"t\" is used for userbase lookups but {Conf} has no query_userinfo: such lookups fail temporarily"],
            result.Notices.Select(n => n.ToString()));
    }

    [Fact]
    public void MistakesInTheFileAreReportedOnceWithItsNameAndLine()
    {
        File.WriteAllText(Conf, "dbpath /var/db/smtp.sqlite\nquery_domian SELECT 1 WHERE ?\n");
        Assert.Equal(
            [
                $"{Conf}:2: unknown directive \"query_domian\"",
                $"smtpd.conf:4: table \"a\" may not be used for \"for domain\" lookups: {Conf} has no query_domain",
            ],
            Check($"table a sqlite:{Conf}\ntable b sqlite:{Conf}\naction \"l\" maildir\nmatch for domain <a> action \"l\"\n"));
    }

    [Fact]
    public void AFileThatCannotBeReadNowIsLeftToTheTable()
    {
        Assert.Empty(Check($"table t sqlite:{_dir.Path}/missing.conf\naction \"l\" maildir alias <t>\nmatch for domain <t> action \"l\"\n"));
    }

    [Fact]
    public void ASqliteTableWithoutItsFileIsAConfigurationError()
    {
        Assert.Equal(
            ["smtpd.conf:1: table \"t\": backend \"sqlite\" needs its configuration file (sqlite:/path)"],
            Check("table t sqlite\naction \"l\" maildir\nmatch for domain <t> action \"l\"\n"));
    }
}
