// What root does, and does not do, for a local delivery. A file a user names in ~/.forward is
// created, opened and written by a helper running as that user, never by root: a path the user
// may not create fails as it would for the user (and no file appears), one in the user's home
// works and belongs to the user. Root prepares only the system spool's mailbox, and a link
// planted there is not followed. A userbase entry whose ids are -1 (which setresuid would take
// as "unchanged") is refused, never delivered as root; a user name that is not a valid mailbox
// name still ends in a logged temporary failure rather than an envelope stuck in flight; and a
// '/' in an address cannot add directories to a maildir path.
// Root only: only a root daemon changes users.
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public sealed class PrivsepDeliveryTests : IDisposable
{
    // A user of these tests alone: its /var/mail entry is changed here.
    private const string User = "smtpdpriv";
    private readonly string _dir;

    public PrivsepDeliveryTests()
    {
        _dir = Directory.CreateTempSubdirectory("smtpd-privsep-").FullName;
        File.SetUnixFileMode(_dir, (UnixFileMode)0b111_101_101);
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
            Binary.EnsureUser(User);
        }
    }

    public void Dispose() => Directory.Delete(_dir, true);

    private static Daemon StartMbox() => Daemon.Start("""
        listen on 127.0.0.1 port {PORT}
        action "local" mbox
        match from any for local action "local"

        """).WaitReady();

    private static void Send(Daemon d, string to, string subject)
    {
        using var c = new SmtpClientHelper(d.Port);
        Assert.StartsWith("250 ", c.SendMail("sender@example.net", [to], $"Subject: {subject}\n\nhello\n"), StringComparison.Ordinal);
    }

    /// <summary>The file's text, or null while it is missing or the delivery still holds its lock
    /// (.NET's FileShare is an flock, which the mbox writer's exclusive lock refuses).</summary>
    private static string? Unlocked(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    [EndToEndFact(needsRoot: true)]
    public void AFileNamedInAForwardIsWrittenAsItsUserAndRootCreatesNothingForIt()
    {
        var pw = Posix.GetPwNam(User)!;
        string forward = Path.Combine(pw.Directory, ".forward");
        string tag = Guid.NewGuid().ToString("N");
        string forbidden = $"/etc/smtpd-test-owned-{tag}";
        string inHome = Path.Combine(pw.Directory, $"inbox-{tag}");
        try
        {
            File.WriteAllText(forward, $"{forbidden}\n{inHome}\n");
            Posix.Chown(forward, pw.Uid, pw.Gid);
            File.SetUnixFileMode(forward, (UnixFileMode)0b110_100_100);
            using var d = StartMbox();
            Send(d, $"{User}@localhost", "forward to files");

            Wait.Until(() => Unlocked(inHome)?.Contains("\nhello\n", StringComparison.Ordinal) == true, "the file in the user's home got the mail:\n" + d.Log);
            var st = Posix.TryLStat(inHome)!.Value;
            Assert.Equal((pw.Uid, pw.Gid), (st.Uid, st.Gid));

            // The user may not create files in /etc, so neither may the delivery: it is deferred with the reason.
            Wait.Until(() => d.Log.Contains("result=TempFail", StringComparison.Ordinal) && d.Log.Contains("Permission denied", StringComparison.Ordinal), "the delivery to /etc failed as the user's would:\n" + d.Log);
            Assert.False(File.Exists(forbidden), forbidden + " was created");
        }
        finally
        {
            File.Delete(forward);
            File.Delete(inHome);
            File.Delete(forbidden);
        }
    }

    [EndToEndFact(needsRoot: true)]
    public void ALinkPlantedInTheMailSpoolIsNotFollowed()
    {
        string mailbox = Path.Combine("/var/mail", User);
        string target = Path.Combine(_dir, "target");
        string absent = Path.Combine(_dir, "absent");
        File.WriteAllText(target, "original\n");
        File.Delete(mailbox);
        try
        {
            using var d = StartMbox();
            foreach (string to in new[] { target, absent })
            {
                File.CreateSymbolicLink(mailbox, to);
                Send(d, $"{User}@localhost", "spool link");
                Wait.Until(() => d.Log.Split('\n').Count(l => l.Contains("result=TempFail", StringComparison.Ordinal)) >= (to == target ? 1 : 2), "the delivery is deferred:\n" + d.Log);
                // The deferred envelope would be retried into the mailbox made once the link is
                // gone: it leaves the queue first.
                Assert.Equal(0, d.Ctl("remove", "all").Code);
                File.Delete(mailbox);
            }

            Assert.Equal("original\n", File.ReadAllText(target));
            Assert.False(File.Exists(absent), "a link's missing target was created");
            Assert.Equal(0u, Posix.TryLStat(target)!.Value.Uid);
        }
        finally
        {
            File.Delete(mailbox);
        }
    }

    [EndToEndFact(needsRoot: true)]
    public void AUserbaseEntryWithIdsOfMinusOneIsRefusedNotDeliveredAsRoot()
    {
        string home = Path.Combine(_dir, "vevil");
        Directory.CreateDirectory(home);
        string table = Path.Combine(_dir, "vusers");
        File.WriteAllText(table, $"vevil 4294967295:4294967295:{home}\n");
        using var d = Daemon.Start($"""
            table vusers file:{table}
            listen on 127.0.0.1 port {"{PORT}"}
            action "virt" maildir userbase <vusers>
            match from any for local action "virt"

            """).WaitReady();
        Send(d, "vevil@localhost", "minus one");
        Wait.Until(() => d.Log.Contains("result=PermFail", StringComparison.Ordinal) && d.Log.Contains("invalid uid or gid for user: vevil", StringComparison.Ordinal), "the delivery is refused:\n" + d.Log);
        Assert.False(Directory.Exists(Path.Combine(home, "Maildir")), "something was delivered as root");
    }

    [EndToEndFact(needsRoot: true)]
    public void ASlashInAnAddressDoesNotAddDirectoriesToAMaildirPath()
    {
        string mail = Path.Combine(_dir, "vmail");
        Directory.CreateDirectory(mail);
        Binary.Run("chmod", ["0777", mail]);
        using var d = Daemon.Start($$"""
            table virt { "@" = {{User}} }
            listen on 127.0.0.1 port {PORT}
            action "virt" maildir "{{mail}}/%{dest.user}" virtual <virt>
            match from any for domain "one.example" action "virt"

            """).WaitReady();
        Send(d, "bob/.Sent@one.example", "slash");
        string flat = Path.Combine(mail, "bob:.Sent", "new");
        Wait.Until(() => Directory.Exists(flat) && Directory.GetFiles(flat).Length == 1, "the mail is in a maildir named after the whole local part:\n" + d.Log);
        Assert.False(Directory.Exists(Path.Combine(mail, "bob")), "the address added a directory");
    }

    [EndToEndFact(needsRoot: true)]
    public void AMailboxNameTheSpoolCannotHoldIsALoggedTemporaryFailure()
    {
        // Valid as a local part and as a table key, but not as one name in /var/mail.
        string table = Path.Combine(_dir, "vusers");
        File.WriteAllText(table, $"a/b 47111:47112:{_dir}\n");
        using var d = Daemon.Start($"""
            table vusers file:{table}
            listen on 127.0.0.1 port {"{PORT}"}
            action "local" mbox userbase <vusers>
            match from any for local action "local"

            """).WaitReady();
        Send(d, "a/b@localhost", "slash");
        Wait.Until(() => d.Log.Contains("to=<a/b@localhost>", StringComparison.Ordinal) && d.Log.Contains("result=TempFail", StringComparison.Ordinal), "the delivery is deferred and logged:\n" + d.Log);
        Assert.Contains("not a valid mailbox name", d.Log, StringComparison.Ordinal);
    }
}
