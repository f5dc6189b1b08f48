// makemap and newaliases run in-process: the maps they write read back through the db: backend,
// with OpenSMTPD's rules (lower-cased keys, duplicates and malformed lines refused, sets).
using Smtpd.Ctl;
using Smtpd.Tables;
using Smtpd.Tests.Mda;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.Ctl;

public sealed class MakeMapTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir.Path, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void APlainMapIsWrittenNextToItsSourceAndReadsBack()
    {
        string src = Write("map", "# domains\nExample.ORG  mx1\n192.168.0.0/16 lan\n");
        Assert.Equal(0, MakeMap.Run([src], newaliases: false));
        var table = new DbTable("m", src + ".db");
        Assert.Equal((MatchResult.Match, "mx1"), table.Lookup(TableService.String, "example.org"));
        Assert.Equal(MatchResult.Match, table.Match(TableService.Netaddr, "192.168.1.1"));
        Assert.Single(Directory.GetFiles(_dir.Path, "map.db*"));
    }

    [Fact]
    public void AnAliasesMapGoesToTheFileNamedByDashO()
    {
        string src = Write("aliases", "root: alice\npostmaster: root, bob@example.org\n");
        string output = Path.Combine(_dir.Path, "out.db");
        Assert.Equal(0, MakeMap.Run(["-t", "aliases", "-o", output, src], newaliases: false));
        Assert.Equal((MatchResult.Match, "root, bob@example.org"), new DbTable("a", output).Lookup(TableService.Alias, "postmaster"));
    }

    [Fact]
    public void ASetStoresEveryLineAsAKey()
    {
        string src = Write("set", "example.org\nexample.net\n");
        Assert.Equal(0, MakeMap.Run(["-t", "set", src], newaliases: false));
        using var db = DbFile.Open(src + ".db", write: false);
        Assert.Equal([("example.net", "<set>"), ("example.org", "<set>")], db.ReadAll().OrderBy(e => e.Key));
    }

    [Theory]
    [InlineData("a x\na y\n")]
    [InlineData("A x\na y\n")]
    [InlineData("a x\nlonely\n")]
    public void DuplicateOrMalformedEntriesFailAndLeaveNoMapBehind(string text)
    {
        string src = Write("bad", text);
        Assert.Equal(1, MakeMap.Run([src], newaliases: false));
        Assert.Empty(Directory.GetFiles(_dir.Path, "bad.db*"));
    }

    [Fact]
    public void AnAliasWithAnEmptyTargetIsRefused()
    {
        string src = Write("aliases", "root: alice,,bob\n");
        Assert.Equal(1, MakeMap.Run(["-t", "aliases", src], newaliases: false));
    }

    [Theory]
    [InlineData("-t", "bogus")]
    [InlineData("-d", "dbm")]
    [InlineData("-x")]
    public void UnknownTypesAndOptionsAreRefused(params string[] args) =>
        Assert.Equal(1, MakeMap.Run([.. args, Write("m", "a b\n")], newaliases: false));

    [RootFact("newaliases insists on root, as OpenSMTPD's does")]
    public void NewaliasesRebuildsTheDbAliasesTableNamedInTheConfiguration()
    {

        string src = Write("aliases", "root: alice\n");
        string conf = Write("smtpd.conf", $"table aliases db:{src}.db\naction \"l\" maildir alias <aliases>\nmatch for local action \"l\"\n");
        Assert.Equal(0, MakeMap.Run(["-f", conf], newaliases: true));
        Assert.Equal((MatchResult.Match, "alice"), new DbTable("aliases", src + ".db").Lookup(TableService.Alias, "root"));
    }

    [Fact]
    public void MapsOurMakemapWritesAreOrdinaryBerkeleyDbHashFiles()
    {
        string src = Write("map", "a b\n");
        Assert.Equal(0, MakeMap.Run([src], newaliases: false));
        byte[] head = File.ReadAllBytes(src + ".db")[12..16];

        // The hash magic 0x061561 at offset 12, as file(1) and libdb's own tools expect.
        Assert.Equal(0x061561, BitConverter.ToInt32(head));
    }

    [OpenSmtpdMakemapFact]
    public void OpenSmtpdsMakemapDumpsAMapOursWrote()
    {
        string src = Write("aliases", "Root: alice\npostmaster: root, bob@example.org\n");
        Assert.Equal(0, MakeMap.Run(["-t", "aliases", src], newaliases: false));
        var r = Smtpd.Tests.TestSupport.Binary.Run(OpenSmtpdMakemapFactAttribute.Path!, ["-U", src + ".db"]);
        Assert.Equal(0, r.Code);
        Assert.Equal(["postmaster\troot, bob@example.org", "root\talice"], r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
    }

    [OpenSmtpdMakemapFact]
    public void AMapOpenSmtpdsMakemapWroteReadsBack()
    {
        string src = Write("set", "Example.ORG\nexample.net\n");
        Assert.Equal(0, Smtpd.Tests.TestSupport.Binary.Run(OpenSmtpdMakemapFactAttribute.Path!, ["-t", "set", src]).Code);
        var table = new DbTable("s", src + ".db");
        Assert.Equal(MatchResult.Match, table.Match(TableService.Domain, "example.org"));
        Assert.Equal(MatchResult.NoMatch, table.Match(TableService.Domain, "example.com"));
    }
}
