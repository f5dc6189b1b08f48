using System.Text;
using Smtpd.Mda;

namespace Smtpd.Tests.Mda;

public class MaildirDeliveryTests
{
    private const string Message = "From: a@example.org\nSubject: hi\n\nbody\n";

    private static MemoryStream Stream(string text) => new(Encoding.UTF8.GetBytes(text));

    private static string[] Files(string dir) => Directory.Exists(dir) ? Directory.GetFiles(dir) : [];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CreatesTheMaildirAndDeliversIntoNew(bool unnamed)
    {
        using var tmp = new TempDir();
        string md = tmp.Path + "/Maildir";
        var d = new MaildirDelivery(md, hostname: "mx.example.org") { UnnamedFiles = unnamed };
        var result = await d.DeliverAsync(Stream(Message));
        Assert.Equal(MdaResult.Ok, result);
        foreach (var sub in new[] { "cur", "new", "tmp" })
        {
            Assert.True(Directory.Exists(md + "/" + sub));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(md + "/" + sub));
        }

        var delivered = Assert.Single(Files(md + "/new"));
        Assert.Equal(delivered, d.DeliveredPath);
        Assert.Empty(Files(md + "/tmp"));
        Assert.Equal(Message, File.ReadAllText(delivered));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(delivered));
        Assert.Matches(@"^\d+\.\d+_\d+\.mx\.example\.org$", Path.GetFileName(delivered));
    }

    [Theory]
    [InlineData("new", true)]
    [InlineData("tmp", true)]
    [InlineData("new", false)]
    [InlineData("tmp", false)]
    public async Task AFolderRemovedBetweenDeliveriesIsMadeAgain(string removed, bool unnamed)
    {
        using var tmp = new TempDir();
        string md = tmp.Path + "/Maildir";
        var d = new MaildirDelivery(md, hostname: "h") { UnnamedFiles = unnamed };
        Assert.Equal(MdaResult.Ok, await d.DeliverAsync(Stream(Message)));
        Directory.Delete(md + "/" + removed, recursive: true);

        Assert.Equal(MdaResult.Ok, await d.DeliverAsync(Stream(Message + "again\n")));
        Assert.Equal(Message + "again\n", File.ReadAllText(Assert.Single(Files(md + "/new"), f => f == d.DeliveredPath)));
        Assert.Empty(Files(md + "/tmp"));
    }

    [Fact]
    public async Task EveryDeliveryGetsItsOwnFile()
    {
        using var tmp = new TempDir();
        var fixedClock = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        var d = new MaildirDelivery(tmp.Path, hostname: "h") { Clock = () => fixedClock };
        for (int i = 0; i < 20; i++)
        {
            Assert.True((await d.DeliverAsync(Stream(Message + i))).IsOk);
        }

        Assert.Equal(20, Files(tmp.Path + "/new").Length);
    }

    [Fact]
    public async Task ANameTakenInNewIsSkippedAndNothingIsLeftInTmp()
    {
        // The unnamed file gets its name in new/ directly: a name already there is never replaced.
        using var tmp = new TempDir();
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        var d = new MaildirDelivery(tmp.Path, hostname: "h") { Clock = () => now };
        Assert.True((await d.DeliverAsync(Stream(Message))).IsOk);
        string first = Path.GetFileName(d.DeliveredPath!);
        int seq = int.Parse(first.Split('.')[1].Split('_')[1], System.Globalization.CultureInfo.InvariantCulture);
        for (int k = 1; k <= 2; k++)
        {
            File.WriteAllText($"{tmp.Path}/new/1700000000.{Environment.ProcessId}_{seq + k}.h", "someone else's");
        }

        Assert.True((await d.DeliverAsync(Stream(Message + "second\n"))).IsOk);
        Assert.Equal(4, Files(tmp.Path + "/new").Length);
        Assert.Equal(Message + "second\n", File.ReadAllText(d.DeliveredPath!));
        Assert.Equal(2, Files(tmp.Path + "/new").Count(f => File.ReadAllText(f) == "someone else's"));
        Assert.Empty(Files(tmp.Path + "/tmp"));
    }

    [Fact]
    public async Task ANameTakenInTmpIsSkipped()
    {
        using var tmp = new TempDir();
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        var d = new MaildirDelivery(tmp.Path, hostname: "h") { Clock = () => now, UnnamedFiles = false };
        Assert.True((await d.DeliverAsync(Stream(Message))).IsOk);

        // Occupy the next few names the way a stale tmp file from a reused pid would.
        string first = Path.GetFileName(d.DeliveredPath!);
        int seq = int.Parse(first.Split('.')[1].Split('_')[1], System.Globalization.CultureInfo.InvariantCulture);
        for (int k = 1; k <= 3; k++)
        {
            File.WriteAllText($"{tmp.Path}/tmp/1700000000.{Environment.ProcessId}_{seq + k}.h", "stale");
        }

        Assert.True((await d.DeliverAsync(Stream(Message))).IsOk);
        Assert.Equal(2, Files(tmp.Path + "/new").Length);
        Assert.Equal(3, Files(tmp.Path + "/tmp").Length);
        Assert.All(Files(tmp.Path + "/tmp"), f => Assert.Equal("stale", File.ReadAllText(f)));
    }

    [Fact]
    public async Task AMissingFinalNewlineIsAdded()
    {
        using var tmp = new TempDir();
        var d = new MaildirDelivery(tmp.Path);
        Assert.True((await d.DeliverAsync(Stream("Subject: x\n\nno newline"))).IsOk);
        Assert.Equal("Subject: x\n\nno newline\n", File.ReadAllText(d.DeliveredPath!));
    }

    [Theory]
    [InlineData("X-Spam: yes\n", true)]
    [InlineData("x-spam: YES\r\n", true)]
    [InlineData("X-Spam-Flag: yes\n", true)]
    [InlineData("X-Spam: no\n", false)]
    [InlineData("X-Spam:  yes\n", false)]
    [InlineData("X-Spam-Status: yes\n", false)]
    public async Task JunkGoesToTheJunkFolderWhenAsked(string spamHeader, bool junk)
    {
        using var tmp = new TempDir();
        string msg = "From: a@example.org\n" + spamHeader + "\nbody\n";
        Assert.True((await new MaildirDelivery(tmp.Path, junk: true).DeliverAsync(Stream(msg))).IsOk);
        Assert.True(Directory.Exists(tmp.Path + "/.Junk/cur"));
        Assert.Equal(junk ? 1 : 0, Files(tmp.Path + "/.Junk/new").Length);
        Assert.Equal(junk ? 0 : 1, Files(tmp.Path + "/new").Length);
    }

    [Fact]
    public async Task SpamVerdictInTheBodyOrWithoutJunkOptionIsIgnored()
    {
        using var tmp = new TempDir();
        Assert.True((await new MaildirDelivery(tmp.Path, junk: true).DeliverAsync(Stream("Subject: x\n\nX-Spam: yes\n"))).IsOk);
        Assert.True((await new MaildirDelivery(tmp.Path, junk: false).DeliverAsync(Stream("X-Spam: yes\n\nbody\n"))).IsOk);
        Assert.Equal(2, Files(tmp.Path + "/new").Length);
        Assert.Empty(Files(tmp.Path + "/.Junk/new"));
    }

    [Fact]
    public async Task SubaddressFolderIsUsedOnlyWhenItExists()
    {
        using var tmp = new TempDir();
        Assert.True((await new MaildirDelivery(tmp.Path, subaddress: "lists").DeliverAsync(Stream(Message))).IsOk);
        Assert.Single(Files(tmp.Path + "/new"));
        Assert.False(Directory.Exists(tmp.Path + "/.lists"));

        Directory.CreateDirectory(tmp.Path + "/.lists");
        Assert.True((await new MaildirDelivery(tmp.Path, subaddress: "lists").DeliverAsync(Stream(Message))).IsOk);
        Assert.Single(Files(tmp.Path + "/.lists/new"));
        Assert.True(Directory.Exists(tmp.Path + "/.lists/cur"));
    }

    [Fact]
    public async Task SubaddressCannotEscapeTheMaildir()
    {
        using var tmp = new TempDir();
        Directory.CreateDirectory(tmp.Path + "/.:..:x");
        Assert.True((await new MaildirDelivery(tmp.Path, subaddress: "/../x").DeliverAsync(Stream(Message))).IsOk);
        Assert.Single(Files(tmp.Path + "/.:..:x/new"));
    }

    [Fact]
    public async Task DotSubaddressDoesNotClimbOutOfTheMaildir()
    {
        using var tmp = new TempDir();
        string md = tmp.Path + "/Maildir";
        Assert.True((await new MaildirDelivery(md, subaddress: ".").DeliverAsync(Stream(Message))).IsOk);
        Assert.Single(Files(md + "/new"));
        Assert.False(Directory.Exists(tmp.Path + "/new"));
    }

    [Fact]
    public async Task JunkWinsOverTheSubaddressFolder()
    {
        using var tmp = new TempDir();
        Directory.CreateDirectory(tmp.Path + "/.lists");
        Assert.True((await new MaildirDelivery(tmp.Path, junk: true, subaddress: "lists").DeliverAsync(Stream("X-Spam: yes\n\nb\n"))).IsOk);
        Assert.Single(Files(tmp.Path + "/.Junk/new"));
        Assert.Empty(Files(tmp.Path + "/.lists/tmp"));
    }

    [Fact]
    public async Task RelativePathIsAPermanentFailure()
    {
        var result = await new MaildirDelivery("Maildir").DeliverAsync(Stream(Message));
        Assert.Equal(MdaResultKind.PermFail, result.Kind);
    }

    [Fact]
    public async Task UnwritablePlaceIsATemporaryFailure()
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.Path + "/file", "");
        var result = await new MaildirDelivery(tmp.Path + "/file/Maildir").DeliverAsync(Stream(Message));
        Assert.Equal(MdaResultKind.TempFail, result.Kind);
        Assert.Equal("TempFail", result.LogResult);
        Assert.StartsWith("Error (", result.LogStat, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExistingFolderModesAreLeftAlone()
    {
        using var tmp = new TempDir();
        Directory.CreateDirectory(tmp.Path + "/new", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        Assert.True((await new MaildirDelivery(tmp.Path).DeliverAsync(Stream(Message))).IsOk);
        Assert.True(File.GetUnixFileMode(tmp.Path + "/new").HasFlag(UnixFileMode.GroupRead));
    }

    [Fact]
    public async Task AFailedReadLeavesNothingBehind()
    {
        using var tmp = new TempDir();
        var result = await new MaildirDelivery(tmp.Path).DeliverAsync(new FailingStream());
        Assert.Equal(MdaResultKind.TempFail, result.Kind);
        Assert.Empty(Files(tmp.Path + "/tmp"));
        Assert.Empty(Files(tmp.Path + "/new"));
    }

    [Fact]
    public void HostNamesAreEscapedForMaildir()
    {
        Assert.Equal("a\\057b\\072c", MaildirName.EscapeHost("a/b:c"));
        Assert.Equal("localhost", MaildirName.EscapeHost(""));
    }
}
