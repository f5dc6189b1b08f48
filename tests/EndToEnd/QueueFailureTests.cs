// The queue under stress an administrator meets: a full disk, a garbled envelope. Replies are
// temporary failures, nothing half-committed remains, and service resumes by itself.
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class QueueFailureTests
{
    public QueueFailureTests()
    {
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
        }
    }

    private static string Me => Posix.GetPwUid(Posix.GetEUid())!.Name;

    [EndToEndFact(needsRoot: true)]
    public void AFullSpoolAnswers421AtMailFromAndLeavesNothingHalfCommittedAndRecovers()
    {
        string? spool = null;
        string mail = Directory.CreateTempSubdirectory("smtpd-full-mail").FullName;

        // Delivered to nobody, not to root: a maildir delivery never runs as root (forkmda()).
        Binary.Run("chmod", ["0777", mail]);
        var d = Daemon.Start(
            $"listen on 127.0.0.1 port {{PORT}}\naction \"local\" maildir \"{mail}/%{{user.username}}\"\nmatch from any for local action \"local\"\n",
            prepare: dir =>
            {
                spool = Path.Combine(dir, "spool");
                Directory.CreateDirectory(spool);
                Assert.Equal(0, Binary.Run("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", spool]).Code);
            });
        try
        {
            d.WaitReady();
            // 256 KiB is below the floor of free space (1.5 x max-message-size): new mail is
            // refused at MAIL FROM with a temporary failure, before anything is written. (A disk
            // that fills during DATA gives a 4xx at the dot: tests/Chaos/DiskFullTests.)
            using (var c = new SmtpClientHelper(d.Port))
            {
                Assert.StartsWith("250", c.Command("EHLO client.example.net"), StringComparison.Ordinal);
                Assert.Equal("421 4.3.0 Temporary Error", c.Command("MAIL FROM:<sender@example.net>"));
            }

            Wait.Until(() => d.Log.Contains("spool file system short of space", StringComparison.Ordinal), "the shortage is logged:\n" + d.Log);
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(spool!, "queue"), "*", SearchOption.AllDirectories));
            Assert.False(d.HasExited());

            // Room comes back (the tmpfs grows): mail is taken and delivered again.
            Assert.Equal(0, Binary.Run("mount", ["-o", "remount,size=128m", spool!]).Code);
            using (var c = new SmtpClientHelper(d.Port))
            {
                Assert.StartsWith("250 2.0.0 ", c.SendMail("sender@example.net", ["nobody@localhost"], "Subject: small\n\nfits\n"), StringComparison.Ordinal);
            }

            Wait.Until(() => d.Log.Contains("result=Ok", StringComparison.Ordinal), "the small message is delivered once space allows");
        }
        finally
        {
            var roles = d.Roles();
            d.Dispose();
            Wait.Until(() => roles.All(r => !ProcInfo.Exists(r.Pid)), "roles gone before unmounting");
            Binary.Run("umount", ["-l", spool!]);
            Directory.Delete(mail, true);
        }
    }

    [EndToEndFact]
    public void AGarbledEnvelopeGoesToCorruptAndTheDaemonKeepsServing()
    {
        var d = Daemon.Start(prepare: dir =>
        {
            // A spool as a crash or a careless editor might leave it: one envelope of garbage.
            string msgDir = Path.Combine(dir, "spool", "queue", "3f", "3fa2c901");
            Directory.CreateDirectory(msgDir);
            File.WriteAllText(Path.Combine(msgDir, "message"), "Subject: x\n\nx\n");
            File.WriteAllText(Path.Combine(msgDir, "3fa2c9010000abcd"), "version: 3\nthis is: not an envelope\n\0\n");
            if (Binary.IsRoot)
            {
                Binary.Run("chown", ["-R", "_smtpq", Path.Combine(dir, "spool", "queue")]);
            }
        });
        using (d)
        {
            d.WaitReady();
            Wait.Until(() => Directory.EnumerateFiles(Path.Combine(d.Spool, "corrupt"), "*", SearchOption.AllDirectories).Any(), "the envelope is moved to corrupt/:\n" + d.Log);
            Wait.Until(() => d.Log.Contains("moved to corrupt/", StringComparison.Ordinal), "the move is logged");
            using var c = new SmtpClientHelper(d.Port);
            Assert.StartsWith("250", c.Command("EHLO client.example.net"), StringComparison.Ordinal);
            Assert.False(d.HasExited());
        }
    }

    [EndToEndFact]
    public void CompressedAndEncryptedQueuesKeepMessagesUnreadableOnDiskAndDeliverThemIntact()
    {
        string flag = Path.Combine(Path.GetTempPath(), "smtpd-crypt-" + Guid.NewGuid().ToString("N"));
        string outFile = flag + ".out";
        var user = Binary.IsRoot ? Posix.GetPwNam("nobody")! : Posix.GetPwUid(Posix.GetEUid())!;
        string outDir = Directory.CreateTempSubdirectory("smtpd-crypt-out").FullName;
        Binary.Run("chown", [$"{user.Uid}:{user.Gid}", outDir]);
        outFile = Path.Combine(outDir, "out");
        string conf = "queue compression\nqueue encryption \"0123456789abcdef0123456789abcdef\"\nlisten on 127.0.0.1 port {PORT}\n" +
            $"action \"hold\" mda \"test -e {flag} || exit 75; cat > {outFile}\" user {user.Name}\nmatch from any for local action \"hold\"\n";
        using var d = Daemon.Start(conf).WaitReady();
        using (var c = new SmtpClientHelper(d.Port))
        {
            Assert.StartsWith("250 ", c.SendMail("sender@example.net", [$"{Me}@localhost"], "Subject: secret\n\nthe plaintext nobody may see on disk\n"), StringComparison.Ordinal);
        }

        Wait.Until(() => d.Log.Contains("result=TempFail", StringComparison.Ordinal), "the message waits in the queue");
        string stored = Directory.EnumerateFiles(Path.Combine(d.Spool, "queue"), "message", SearchOption.AllDirectories).Single();
        byte[] raw = File.ReadAllBytes(stored);
        Assert.DoesNotContain("plaintext nobody", System.Text.Encoding.Latin1.GetString(raw), StringComparison.Ordinal);
        Assert.Equal(1, raw[0]);
        Assert.Contains("queue: queue compression enabled", d.Log, StringComparison.Ordinal);
        Assert.Contains("queue: queue encryption enabled", d.Log, StringComparison.Ordinal);

        File.WriteAllText(flag, "go");
        Wait.Until(() => File.Exists(outFile) && File.ReadAllText(outFile).Contains("the plaintext nobody may see on disk", StringComparison.Ordinal), "the retry delivers the decoded message", TimeSpan.FromSeconds(60));
        File.Delete(flag);
        Directory.Delete(outDir, true);
    }
}
