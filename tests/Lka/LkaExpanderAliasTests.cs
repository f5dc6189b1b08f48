using Smtpd.Ipc.Messages;
using Smtpd.Lka;
using static Smtpd.Tests.Lka.LkaExpanderTests;

namespace Smtpd.Tests.Lka;

public sealed class LkaExpanderAliasTests : IDisposable
{
    private const string PermFail = "524 5.2.4 Mailing list expansion problem";
    private readonly string _dir = Directory.CreateTempSubdirectory("smtpd-alias-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static string Local(string aliasTable) => $"""
        {aliasTable}
        action "local" mbox alias <aliases>
        action "relay" relay
        match from any for domain "example.org" action "local"
        match from any for any action "relay"
        """;

    [Fact]
    public async Task AliasesOfNamesAndAddressesExpandAndDuplicatesGo()
    {
        var x = Build(Local("""table aliases { root = "alice, bob", postmaster = root, staff = "alice, bob, alice, root" }"""));
        Assert.Equal(["alice", "bob"], (await Run(x, "postmaster@example.org")).Deliveries.Select(v => v.User));
        Assert.Equal(["alice", "bob"], (await Run(x, "staff@example.org")).Deliveries.Select(v => v.User));
    }

    [Fact]
    public async Task AnAliasToARemoteAddressRelaysIt()
    {
        var x = Build(Local("""table aliases { alice = "alice, alice@gmail.com" }"""));
        var d = (await Run(x, "alice@example.org")).Deliveries;
        Assert.Equal([new LkaDelivery("local", false, "alice", "alice@example.org", ""), new LkaDelivery("relay", true, "", "alice@gmail.com", "")], d);
    }

    [Fact]
    public async Task ALoopExpandsToNothingAndIsAPermanentFailure()
    {
        var x = Build(Local("""table aliases { loop1 = loop2, loop2 = loop1, self = self }"""));
        var r = await Run(x, "loop1@example.org");
        Assert.True(r.Status == ExpandStatus.Rejected && r.Reply == PermFail, r.Why);

        // A name aliased to itself is the user itself (sendmail's convention): here no such user.
        Assert.Equal((ExpandStatus.Rejected, "550 Invalid recipient"), Take(await Run(x, "self@example.org")));
    }

    [Fact]
    public async Task AChainDeeperThanTheLimitIsAPermanentFailure()
    {
        var entries = string.Join(", ", Enumerable.Range(0, 12).Select(i => $"l{i} = l{i + 1}"));
        var x = Build(Local($"table aliases {{ {entries}, l12 = alice }}"));
        var r = await Run(x, "l0@example.org");
        Assert.Equal((ExpandStatus.Rejected, PermFail), Take(r));
        Assert.Contains("levels deep", r.Why, StringComparison.Ordinal);
        Assert.Equal(ExpandStatus.Accepted, (await Run(x, "l5@example.org")).Status);
    }

    [Fact]
    public async Task CommandsAndFilesFromAliasesRunAsTheDaemonUser()
    {
        var x = Build(Local("""table aliases { list = "|/usr/bin/archive -q", log = "/var/log/mail.copy" }"""));
        Assert.Equal([new LkaDelivery("local", false, "_smtpd", "list@example.org", "", "/usr/bin/archive -q")], (await Run(x, "list@example.org")).Deliveries);
        var file = Assert.Single((await Run(x, "log@example.org")).Deliveries);
        Assert.True(MdaExecText.TryGetFile(file.Exec, out string path));
        Assert.Equal("/var/log/mail.copy", path);
    }

    [Fact]
    public async Task AnErrorEntryGivesItsOwnReply()
    {
        var x = Build(Local("""table aliases { gone = "error:550 5.1.1 Moved away", busy = "error:450 Try tomorrow" }"""));
        Assert.Equal((ExpandStatus.Rejected, "550 5.1.1 Moved away"), Take(await Run(x, "gone@example.org")));
        Assert.Equal((ExpandStatus.TempFail, "450 Try tomorrow"), Take(await Run(x, "busy@example.org")));
    }

    [Fact]
    public async Task AnIncludeFileAddsItsEntriesButNotFurtherIncludes()
    {
        string inner = Path.Combine(_dir, "inner");
        string list = Path.Combine(_dir, "list");
        await File.WriteAllTextAsync(inner, "root\n");
        await File.WriteAllTextAsync(list, $"# the team\nalice\nbob, carol@elsewhere.net\n:include:{inner}\n");
        var x = Build(Local($"table aliases {{ team = \":include:{list}\" }}"));
        var d = (await Run(x, "team@example.org")).Deliveries;
        Assert.Equal(["local:alice", "local:bob", "relay:carol@elsewhere.net"], d.Select(v => v.Dispatcher + ":" + (v.Relay ? v.Dest : v.User)));
    }

    [Fact]
    public async Task AMissingIncludeFileAddsNothingSoTheNameMustBeAUser()
    {
        var x = Build(Local("""table aliases { team = ":include:/nonexistent/list" }"""));
        Assert.Equal((ExpandStatus.Rejected, "550 Invalid recipient"), Take(await Run(x, "team@example.org")));
    }

    [Fact]
    public async Task AFifoAsIncludeFileIsRefusedWithoutWaitingForAWriter()
    {
        string fifo = Path.Combine(_dir, "fifo");
        Assert.Equal(0, Smtpd.Tests.TestSupport.Binary.Run("mkfifo", [fifo]).Code);
        var x = Build(Local($"table aliases {{ team = \":include:{fifo}\" }}"));
        // Before the open itself: an open of a FIFO without O_NONBLOCK waits for a writer.
        var r = await Task.Run(() => Run(x, "team@example.org")).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal((ExpandStatus.Rejected, "550 Invalid recipient"), Take(r));
    }

    [Fact]
    public async Task AnIncludeFileLargerThanTheLimitAddsNothing()
    {
        string list = Path.Combine(_dir, "huge");
        await File.WriteAllTextAsync(list, "alice\n" + new string('#', IncludeFile.MaxBytes));
        var x = Build(Local($"table aliases {{ team = \":include:{list}\" }}"));
        Assert.Equal((ExpandStatus.Rejected, "550 Invalid recipient"), Take(await Run(x, "team@example.org")));
    }

    [Fact]
    public async Task ATaggedAliasIsTriedBeforeTheUntaggedOne()
    {
        var x = Build(Local("""table aliases { "alice+spam" = "/dev/null", alice = bob }"""));
        Assert.Equal("/dev/null", (await Run(x, "alice+spam@example.org")).Deliveries.Single().Exec[^9..]);
        Assert.Equal("bob", (await Run(x, "alice+work@example.org")).Deliveries.Single().User);
    }

    [Fact]
    public async Task VirtualEntriesTryTheAddressThenTheNameThenTheCatchAlls()
    {
        var x = Build("""
            table virt { "staff@one.example" = "alice, bob", "staff@two.example" = "alice, bob", "@one.example" = alice, "@" = bob, "info" = root }
            action "virtual" maildir virtual <virt>
            match from any for domain { "one.example", "two.example", "three.example" } action "virtual"
            """);
        Assert.Equal(["alice", "bob"], (await Run(x, "staff@one.example")).Deliveries.Select(v => v.User));
        Assert.Equal(["alice", "bob"], (await Run(x, "Staff@Two.Example")).Deliveries.Select(v => v.User));
        Assert.Equal(["alice"], (await Run(x, "whoever@one.example")).Deliveries.Select(v => v.User));
        Assert.Equal(["bob"], (await Run(x, "whoever@three.example")).Deliveries.Select(v => v.User));
        Assert.Equal(["root"], (await Run(x, "info@three.example")).Deliveries.Select(v => v.User));
        Assert.Equal(["alice", "bob"], (await Run(x, "staff+news@two.example")).Deliveries.Select(v => v.User));
        Assert.Equal(["bob"], (await Run(x, "nobody+news@two.example")).Deliveries.Select(v => v.User));
    }

    [Fact]
    public async Task AVirtualAddressWithNoEntryAndNoCatchAllIsAPermanentFailure()
    {
        var x = Build("""
            table virt { "staff@one.example" = alice }
            action "virtual" maildir virtual <virt>
            match from any for domain "one.example" action "virtual"
            """);
        Assert.Equal((ExpandStatus.Rejected, PermFail), Take(await Run(x, "alice@one.example")));
    }

    [Fact]
    public async Task AnExpansionThatGrowsPastTheNodeLimitIsAPermanentFailure()
    {
        string list = Path.Combine(_dir, "huge");
        await File.WriteAllLinesAsync(list, Enumerable.Range(0, LkaExpander.MaxNodes + 1).Select(i => $"u{i}@elsewhere.net"));
        var x = Build(Local($"table aliases {{ everyone = \":include:{list}\" }}"));
        var r = await Run(x, "everyone@example.org");
        Assert.Equal((ExpandStatus.Rejected, PermFail), Take(r));
        Assert.Contains("nodes", r.Why, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AForwardOnlyActionRefusesFilesCommandsAndErrorsForNow()
    {
        var x = Build("""
            table aliases { pipe = "|true", gone = "error:550 Gone" }
            action "fwd" forward-only alias <aliases>
            match from any for domain "example.org" action "fwd"
            """);
        Assert.Equal(ExpandStatus.TempFail, (await Run(x, "pipe@example.org")).Status);
        Assert.Equal(ExpandStatus.TempFail, (await Run(x, "gone@example.org")).Status);
    }
}
