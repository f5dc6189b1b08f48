// Deliveries whose user comes from the lookup agent: a virtual user known only to a file:
// userbase gets mail owned by the ids the table gives; a userbase user with uid 0 is refused
// before anything runs as root, and the sender is told; an action's own `user` runs the
// delivery as that system user while the envelope keeps the recipient. Root only: deliveries
// change user only when the daemon is root.
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public sealed class UserbaseDeliveryTests : IDisposable
{
    // Ids no system user has: only the userbase table knows them.
    private const uint VirtualUid = 47_111;
    private const uint VirtualGid = 47_112;

    private readonly string _dir;

    public UserbaseDeliveryTests()
    {
        _dir = Directory.CreateTempSubdirectory("smtpd-userbase-").FullName;
        File.SetUnixFileMode(_dir, (UnixFileMode)0b111_101_101);
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
        }
    }

    public void Dispose() => Directory.Delete(_dir, true);

    /// <summary>A home directory owned by the virtual ids, as an administrator would prepare it.</summary>
    private string Home(string name)
    {
        string home = Path.Combine(_dir, name);
        Directory.CreateDirectory(home);
        Binary.Run("chown", [$"{VirtualUid}:{VirtualGid}", home]);
        return home;
    }

    private string UserbaseFile(string text)
    {
        string path = Path.Combine(_dir, "vusers");
        File.WriteAllText(path, text);
        return path;
    }

    private static List<string> Delivered(string maildir) =>
        Directory.Exists(Path.Combine(maildir, "new")) ? [.. Directory.GetFiles(Path.Combine(maildir, "new"))] : [];

    private static void Send(Daemon d, string from, string to, string subject)
    {
        using var c = new SmtpClientHelper(d.Port);
        Assert.StartsWith("250 ", c.SendMail(from, [to], $"Subject: {subject}\n\nhello\n"), StringComparison.Ordinal);
    }

    [EndToEndFact(needsRoot: true)]
    public void AVirtualUserFromAFileUserbaseGetsMailOwnedByTheIdsItsTableGives()
    {
        string home = Home("vuser");
        string table = UserbaseFile($"# virtual users\nvuser {VirtualUid}:{VirtualGid}:{home}\n");
        using var d = Daemon.Start($"""
            table vusers file:{table}
            listen on 127.0.0.1 port {"{PORT}"}
            action "virt" maildir userbase <vusers>
            match from any for local action "virt"

            """).WaitReady();
        Send(d, "sender@example.net", "vuser@localhost", "virtual");

        // "~/Maildir" is below the home the table gives.
        string maildir = Path.Combine(home, "Maildir");
        Wait.Until(() => Delivered(maildir).Count == 1, "the virtual user's ~/Maildir got the mail:\n" + d.Log);
        var st = Posix.TryLStat(Delivered(maildir)[0])!.Value;
        Assert.Equal((VirtualUid, VirtualGid), (st.Uid, st.Gid));
        Assert.Null(Posix.GetPwUid(VirtualUid));
        // The mailbox is written before the helper reports back: the log line may come a moment later.
        var delivered = new System.Text.RegularExpressions.Regex(@"mda delivery evpid=[0-9a-f]{16} from=<sender@example\.net> to=<vuser@localhost> rcpt=<vuser@localhost> user=vuser delay=\d+s result=Ok stat=Delivered");
        Wait.Until(() => delivered.IsMatch(d.Log), "the delivery is logged under the recipient's name:\n" + d.Log);
    }

    [EndToEndFact(needsRoot: true)]
    public void AUserbaseUserWithUidZeroIsRefusedAndTheSenderIsToldWhy()
    {
        string home = Home("vuser");
        string rootHome = Home("toor");
        string table = UserbaseFile($"vuser {VirtualUid}:{VirtualGid}:{home}\ntoor 0:0:{rootHome}\n");
        using var d = Daemon.Start($"""
            table vusers file:{table}
            listen on 127.0.0.1 port {"{PORT}"}
            action "virt" maildir userbase <vusers>
            match from any for local action "virt"

            """).WaitReady();
        Send(d, "vuser@localhost", "toor@localhost", "to root");

        Wait.Until(() => d.Log.Contains("user=toor", StringComparison.Ordinal) && d.Log.Contains("result=PermFail stat=Error (permission denied: MDA not allowed to deliver to: toor)", StringComparison.Ordinal), "the delivery is refused:\n" + d.Log);
        string maildir = Path.Combine(home, "Maildir");
        Wait.Until(() => Delivered(maildir).Count == 1, "the sender got a bounce:\n" + d.Log);
        string bounce = File.ReadAllText(Delivered(maildir)[0]);
        Assert.Contains("MDA not allowed to deliver to: toor", bounce, StringComparison.Ordinal);
        Assert.Contains("toor@localhost", bounce, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(rootHome, "Maildir")));
    }

    [EndToEndFact(needsRoot: true)]
    public void AnActionUserRunsTheDeliveryAsThatSystemUserAndAMissingOneIsAPermanentFailure()
    {
        var nobody = Posix.GetPwNam("nobody")!;
        string mail = Path.Combine(_dir, "mail");
        Directory.CreateDirectory(mail);
        Binary.Run("chmod", ["0777", mail]);
        string table = UserbaseFile($"carol {VirtualUid}:{VirtualGid}:/nonexistent\n");
        using var d = Daemon.Start($"""
            table vusers file:{table}
            listen on 127.0.0.1 port {"{PORT}"}
            action "shared" maildir "{mail}/%{"{user.username}"}" userbase <vusers> user nobody
            action "ghost" maildir userbase <vusers> user "no-such-delivery-user"
            match from any for domain "ghost.example" action "ghost"
            match from any for local action "shared"

            """).WaitReady();
        Send(d, "sender@example.net", "carol@localhost", "shared");

        // Filed as the action's user, in the recipient's folder (%{user.username} is carol).
        string maildir = Path.Combine(mail, "carol");
        Wait.Until(() => Delivered(maildir).Count == 1, "the mail was filed as the action's user:\n" + d.Log);
        Assert.Equal(nobody.Uid, Posix.TryLStat(Delivered(maildir)[0])!.Value.Uid);
        Wait.Until(() => d.Log.Contains("to=<carol@localhost> rcpt=<carol@localhost> user=carol ", StringComparison.Ordinal), "the envelope keeps the recipient as its user:\n" + d.Log);

        Send(d, "sender@example.net", "carol@ghost.example", "ghost");
        Wait.Until(() => d.Log.Contains("result=PermFail stat=Error (user unknown: delivery user 'no-such-delivery-user' does not exist)", StringComparison.Ordinal), "the missing delivery user is a permanent failure:\n" + d.Log);
    }

    [EndToEndFact(needsRoot: true)]
    public void AUserTheUserbaseNoLongerKnowsAtDeliveryTimeIsAPermanentFailure()
    {
        string home = Home("vuser");
        string table = UserbaseFile($"vuser {VirtualUid}:{VirtualGid}:{home}\n");
        string flag = Path.Combine(_dir, "go");

        // The first attempt is deferred (exit 75); before the retry (10 s later) the entry is gone,
        // and the retry asks the lookup agent again.
        using var d = Daemon.Start($"""
            table vusers file:{table}
            listen on 127.0.0.1 port {"{PORT}"}
            action "virt" mda "test -e {flag} || exit 75; cat > /dev/null" userbase <vusers>
            match from any for local action "virt"

            """).WaitReady();
        Send(d, "sender@example.net", "vuser@localhost", "gone");
        Wait.Until(() => d.Log.Contains("result=TempFail", StringComparison.Ordinal), "the first attempt is deferred:\n" + d.Log);
        File.WriteAllText(table, "# nobody left\nsomeone-else 1:1:/\n");
        var r = Binary.Run(Binary.LinkAs(_dir, "smtpctl"), ["update", "table", "vusers"], new Dictionary<string, string> { ["SMTPD_SOCKET"] = d.Socket });
        Assert.True(r.Code == 0, r.Out + r.Err);
        File.WriteAllText(flag, "go");
        Wait.Until(() => d.Log.Contains("result=PermFail stat=Error (user \"vuser\" does not exist)", StringComparison.Ordinal), "the retry finds no such user:\n" + d.Log, TimeSpan.FromSeconds(60));
    }
}
