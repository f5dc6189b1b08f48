using Smtpd.Interop;
using Smtpd.Ipc.Messages;
using Smtpd.Lka;
using static Smtpd.Tests.Lka.LkaExpanderTests;

namespace Smtpd.Tests.Lka;

public sealed class LkaExpanderForwardTests : IDisposable
{
    private const string Conf = """
        table aliases { team = "alice, bob" }
        action "local" maildir alias <aliases>
        action "relay" relay
        match from any for domain "example.org" action "local"
        match from any for any action "relay"
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("smtpd-forward-").FullName;
    private readonly Dictionary<string, string> _forwards = [];
    private readonly List<string> _asked = [];
    private ForwardStatus _status = ForwardStatus.Ok;

    public void Dispose() => Directory.Delete(_dir, true);

    /// <summary>Stands in for the parent: the user's .forward text, if any, as an open descriptor.</summary>
    private async ValueTask<ForwardOpen> OpenAsync(UserInfo user)
    {
        await Task.Yield();
        _asked.Add(user.Name);
        if (_status != ForwardStatus.Ok || !_forwards.TryGetValue(user.Name, out string? text))
        {
            return new ForwardOpen(_status, null);
        }

        string path = Path.Combine(_dir, user.Name);
        await File.WriteAllTextAsync(path, text);
        Assert.Equal(Errno.None, Posix.TryOpenRead(path, out var fd));
        return new ForwardOpen(ForwardStatus.Ok, fd);
    }

    [Fact]
    public async Task WithoutAForwardTheUserGetsTheMail()
    {
        var x = Build(Conf, OpenAsync);
        Assert.Equal([new LkaDelivery("local", false, "alice", "alice@example.org", "")], (await Run(x, "alice@example.org")).Deliveries);
        Assert.Equal(["alice"], _asked);
    }

    [Fact]
    public async Task AForwardToAnotherUserAndAnAddressReplacesLocalDelivery()
    {
        _forwards["alice"] = "bob, alice@elsewhere.net\n";
        var x = Build(Conf, OpenAsync);
        var d = (await Run(x, "alice@example.org")).Deliveries;
        Assert.Equal([new LkaDelivery("local", false, "bob", "alice@example.org", ""), new LkaDelivery("relay", true, "", "alice@elsewhere.net", "")], d);
    }

    [Fact]
    public async Task TheUsersOwnBackslashedNameKeepsACopyAndCommandsRunAsTheUser()
    {
        _forwards["alice"] = "\\alice, \"|/usr/bin/vacation alice\"\n";
        var x = Build(Conf, OpenAsync);
        var d = (await Run(x, "alice@example.org")).Deliveries;
        Assert.Equal([new LkaDelivery("local", false, "alice", "alice@example.org", ""), new LkaDelivery("local", false, "alice", "alice@example.org", "", "/usr/bin/vacation alice")], d);
        Assert.Equal(["alice"], _asked);
    }

    [Fact]
    public async Task RootsForwardMayNotRunCommands()
    {
        _forwards["root"] = "|/bin/true\n";
        var x = Build(Conf, OpenAsync);
        Assert.Equal(ExpandStatus.TempFail, (await Run(x, "root@example.org")).Status);
    }

    [Fact]
    public async Task AnEmptyOrCommentOnlyForwardDeliversNormally()
    {
        _forwards["alice"] = "# nothing here\n";
        var x = Build(Conf, OpenAsync);
        Assert.Equal(["alice"], (await Run(x, "alice@example.org")).Deliveries.Select(d => d.User));
    }

    [Fact]
    public async Task ABrokenOrHugeForwardDefersAndARefusedOneFails()
    {
        var x = Build(Conf, OpenAsync);
        _forwards["alice"] = "\"|unterminated\n";
        Assert.Equal((ExpandStatus.TempFail, "424 4.2.4 Mailing list expansion problem"), Take(await Run(x, "alice@example.org")));
        _forwards["alice"] = new string('a', 5000);
        Assert.Equal(ExpandStatus.TempFail, (await Run(x, "alice@example.org")).Status);
        _forwards["alice"] = string.Join(",", Enumerable.Range(0, 101).Select(i => $"u{i}@elsewhere.net"));
        Assert.Equal(ExpandStatus.TempFail, (await Run(x, "alice@example.org")).Status);
        _status = ForwardStatus.Refused;
        Assert.Equal((ExpandStatus.Rejected, "524 5.2.4 Mailing list expansion problem"), Take(await Run(x, "alice@example.org")));
        _status = ForwardStatus.TryLater;
        Assert.Equal(ExpandStatus.TempFail, (await Run(x, "alice@example.org")).Status);
    }

    [Fact]
    public async Task ForwardsBetweenTwoUsersStopWhereTheLoopWouldClose()
    {
        // bob's .forward adds nothing new (alice is already in the tree), so as in OpenSMTPD it
        // counts as empty and bob keeps the mail.
        _forwards["alice"] = "bob\n";
        _forwards["bob"] = "alice\n";
        var x = Build(Conf, OpenAsync);
        Assert.Equal(["bob"], (await Run(x, "alice@example.org")).Deliveries.Select(d => d.User));
    }

    [Fact]
    public async Task AnAliasIsExpandedBeforeEachMembersForward()
    {
        _forwards["bob"] = "\\bob, /var/mail/bob.copy\n";
        var x = Build(Conf, OpenAsync);
        var d = (await Run(x, "team@example.org")).Deliveries;
        Assert.Equal(["alice:", "bob:", "bob:mail.mboxfile -f %{mbox.from} /var/mail/bob.copy"], d.Select(v => v.User + ":" + v.Exec));
    }
}
