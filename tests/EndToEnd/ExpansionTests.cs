// Recipient expansion through the whole daemon: virtual domains sharing entries and catch-alls,
// aliases to commands and :include: files, a user's ~/.forward (opened by the parent), and
// sub-addresses filed into maildir folders. Root only: the mail lands in two system users' boxes.
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public sealed class ExpansionTests : IDisposable
{
    private const string User1 = "smtpdtest";
    private const string User2 = "smtpdtest2";
    private readonly string _dir;

    public ExpansionTests()
    {
        _dir = Path.Combine(Path.GetTempPath(), "smtpd-expand-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(_dir, "mail"));
        Directory.CreateDirectory(Path.Combine(_dir, "out"));
        if (!Binary.IsRoot)
        {
            return;
        }

        Binary.EnsureSystemUsers();
        foreach (string user in new[] { User1, User2 })
        {
            Binary.EnsureUser(user);
        }

        // Commands from aliases run as _smtpd, from a .forward as its user: both may write here.
        Binary.Run("chmod", ["1777", Path.Combine(_dir, "out")]);
        Binary.Run("chmod", ["0777", Path.Combine(_dir, "mail")]);
    }

    public void Dispose() => Directory.Delete(_dir, true);

    private string Mail => Path.Combine(_dir, "mail");

    private string Out => Path.Combine(_dir, "out");

    private Daemon Start(string tables, string localOptions = "", string virtualOptions = "")
    {
        string conf = $"""
            listen on 127.0.0.1 port {"{PORT}"}
            {tables}
            action "local" maildir "{Mail}/%{"{user.username}"}" {localOptions}
            action "virtual" maildir "{Mail}/%{"{user.username}"}" {virtualOptions}
            match from any for domain {"{"} "one.example", "two.example" {"}"} action "virtual"
            match from any for local action "local"

            """;
        return Daemon.Start(conf).WaitReady();
    }

    private int Count(string user, string folder = "") =>
        Directory.Exists(Path.Combine(Mail, user, folder, "new")) ? Directory.GetFiles(Path.Combine(Mail, user, folder, "new")).Length : 0;

    private static void Send(Daemon d, params string[] rcpts)
    {
        using var c = new SmtpClientHelper(d.Port);
        Assert.StartsWith("250 ", c.SendMail("sender@example.net", rcpts, "Subject: expand\n\nhello\n"), StringComparison.Ordinal);
    }

    [EndToEndFact(needsRoot: true)]
    public void TwoVirtualDomainsShareOneEntryAndTheGlobalCatchAllTakesTheRest()
    {
        using var d = Start($"table virt {{ staff = \"{User1}, {User2}\", \"@\" = {User2} }}", virtualOptions: "virtual <virt>");
        Send(d, "staff@one.example");
        Send(d, "staff@two.example");
        Wait.Until(() => Count(User1) == 2 && Count(User2) == 2, "staff@ of both domains reached both users");
        Send(d, "anyone@two.example");
        Wait.Until(() => Count(User2) == 3, "the catch-all got the unknown address");
        Assert.Equal(2, Count(User1));
    }

    [EndToEndFact(needsRoot: true)]
    public void AnAliasToACommandAndToAnIncludeFileDeliverWhereTheySay()
    {
        string team = Path.Combine(_dir, "team");
        File.WriteAllText(team, $"# members\n{User1}\n{User2}\n");
        using var d = Start($"table aliases {{ pipe = \"|cat > {Out}/pipe.out\", team = \":include:{team}\" }}", localOptions: "alias <aliases>");
        Send(d, "pipe@localhost", "team@localhost");
        Wait.Until(() => File.Exists(Path.Combine(Out, "pipe.out")) && Count(User1) == 1 && Count(User2) == 1, "the command ran and both members got a copy");
        Wait.Until(() => File.ReadAllText(Path.Combine(Out, "pipe.out")).EndsWith("\nhello\n", StringComparison.Ordinal), "the command got the message");
        Assert.Equal(Posix.GetPwNam("_smtpd")!.Uid, Posix.TryLStat(Path.Combine(Out, "pipe.out"))!.Value.Uid);
    }

    [EndToEndFact(needsRoot: true)]
    public void AForwardFileSendsTheMailToAnotherUserAndAPipeRunAsItsOwner()
    {
        var pw = Posix.GetPwNam(User1)!;
        string forward = Path.Combine(pw.Directory, ".forward");
        try
        {
            File.WriteAllText(forward, $"{User2}, \"|cat > {Out}/forward.out\"\n");
            Posix.Chown(forward, pw.Uid, pw.Gid);
            using var d = Start(string.Empty);
            Send(d, $"{User1}@localhost");
            Wait.Until(() => Count(User2) == 1 && File.Exists(Path.Combine(Out, "forward.out")), "the .forward's targets got the mail");
            Assert.Equal(pw.Uid, Posix.TryLStat(Path.Combine(Out, "forward.out"))!.Value.Uid);
            Assert.Equal(0, Count(User1));

            // A .forward others may write is not trusted: the recipient is refused.
            Binary.Run("chmod", ["0666", forward]);
            using var c = new SmtpClientHelper(d.Port);
            c.Command("EHLO client.example.net");
            c.Command("MAIL FROM:<sender@example.net>");
            Assert.StartsWith("524 5.2.4 Mailing list expansion problem", c.Command($"RCPT TO:<{User1}@localhost>"), StringComparison.Ordinal);
            Wait.Until(() => d.Log.Contains("insecure file", StringComparison.Ordinal), "the parent says why");
        }
        finally
        {
            File.Delete(forward);
        }
    }

    [EndToEndFact(needsRoot: true)]
    public void ASubaddressFilesTheMailIntoItsMaildirFolder()
    {
        var pw = Posix.GetPwNam(User1)!;
        string folder = Path.Combine(Mail, User1, ".lists");
        foreach (string sub in new[] { "cur", "new", "tmp" })
        {
            Directory.CreateDirectory(Path.Combine(folder, sub));
        }

        Binary.Run("chown", ["-R", $"{pw.Uid}:{pw.Gid}", Path.Combine(Mail, User1)]);
        using var d = Start(string.Empty);
        Send(d, $"{User1}+lists@localhost", $"{User1}+other@localhost");
        Wait.Until(() => Count(User1, ".lists") == 1 && Count(User1) == 1, "one copy in .lists, the untagged folder-less one in the inbox");
    }

    [EndToEndFact(needsRoot: true)]
    public void AUserbaseUserIsDeliveredWithTheIdsItsTableGives()
    {
        var pw = Posix.GetPwNam(User2)!;
        string home = Path.Combine(_dir, "vhome");
        Directory.CreateDirectory(home);
        Binary.Run("chown", [$"{pw.Uid}:{pw.Gid}", home]);
        using var d = Start($"table vusers {{ vmail = \"{pw.Uid}:{pw.Gid}:{home}\" }}", localOptions: "userbase <vusers>");
        Send(d, "vmail+box@localhost");
        Wait.Until(() => Count("vmail") == 1, "the virtual user's maildir got the mail");
        string file = Directory.GetFiles(Path.Combine(Mail, "vmail", "new"))[0];
        Assert.Equal(pw.Uid, Posix.TryLStat(file)!.Value.Uid);
    }
}
