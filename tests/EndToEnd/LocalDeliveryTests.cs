// Mail in over SMTP, out into a mailbox: the whole path through every role, with real clients
// (our raw client and Python's smtplib), as root (delivery as the recipient user) or not.
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class LocalDeliveryTests
{
    private const string TestUser = "smtpdtest";

    public LocalDeliveryTests()
    {
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
            Binary.EnsureUser(TestUser);
        }
    }

    private static PasswdEntry Recipient => Binary.IsRoot ? Posix.GetPwNam(TestUser)! : Posix.GetPwUid(Posix.GetEUid())!;

    /// <summary>A daemon delivering local mail into {dir}/mail/USER (owned by the recipient, as a mail spool would be).</summary>
    private static (Daemon Daemon, string MailRoot) StartMaildirDaemon(string extraConfig = "", string action = "maildir \"{MAIL}/%{user.username}\"")
    {
        string mail = Path.Combine(Path.GetTempPath(), "smtpd-mail-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(mail);
        Binary.Run("chown", [$"{Recipient.Uid}:{Recipient.Gid}", mail]);
        string conf = $"listen on 127.0.0.1 port {{PORT}}\n{extraConfig}action \"local\" {action.Replace("{MAIL}", mail, StringComparison.Ordinal)}\nmatch from any for local action \"local\"\n";
        return (Daemon.Start(conf).WaitReady(), mail);
    }

    private static List<string> Delivered(string maildir) =>
        Directory.Exists(Path.Combine(maildir, "new")) ? [.. Directory.GetFiles(Path.Combine(maildir, "new"))] : [];

    [EndToEndFact]
    public void AMessageSentOverSmtpLandsInTheRecipientsMaildirOwnedByThem()
    {
        var (d, mail) = StartMaildirDaemon();
        using (d)
        {
            using var c = new SmtpClientHelper(d.Port);
            Assert.Matches(@"^220 \S+ ESMTP", c.Greeting);
            string reply = c.SendMail("sender@example.net", [$"{Recipient.Name}@localhost"], "Subject: hello\n\nfirst mail\n");
            Assert.Matches(@"^250 2\.0\.0 [0-9a-f]{8} Message accepted for delivery$", reply);
            Assert.StartsWith("221", c.Command("QUIT"), StringComparison.Ordinal);

            string maildir = Path.Combine(mail, Recipient.Name);
            Wait.Until(() => Delivered(maildir).Count == 1, "the message is in new/");
            string file = Delivered(maildir)[0];
            string text = File.ReadAllText(file);
            // Stored with Unix line ends, as OpenSMTPD writes queue files and mailboxes.
            Assert.EndsWith("Subject: hello\n\nfirst mail\n", text, StringComparison.Ordinal);
            Assert.StartsWith($"Return-Path: <sender@example.net>\nDelivered-To: {Recipient.Name}@localhost\nReceived: from client.example.net", text, StringComparison.Ordinal);
            Assert.Equal(Recipient.Uid, Posix.TryLStat(file)!.Value.Uid);
            Assert.Empty(Directory.GetFiles(Path.Combine(maildir, "tmp")));

            Wait.Until(() => d.Log.Contains("result=Ok stat=Delivered", StringComparison.Ordinal), "the delivery is logged");
            Assert.Matches($@"[0-9a-f]{{16}} mda delivery evpid=[0-9a-f]{{16}} from=<sender@example\.net> to=<{Recipient.Name}@localhost> rcpt=<{Recipient.Name}@localhost> user={Recipient.Name} delay=\d+s result=Ok stat=Delivered", d.Log);
            Assert.Matches(@"[0-9a-f]{16} smtp message msgid=[0-9a-f]{8} size=\d+ nrcpt=1 proto=ESMTP", d.Log);

            // Delivered means gone from the queue.
            Wait.Until(() => !Directory.EnumerateFiles(Path.Combine(d.Spool, "queue"), "*", SearchOption.AllDirectories).Any(), "the queue is empty again");
        }

        Directory.Delete(mail, true);
    }

    [EndToEndFact]
    public void AShortMessageAfterALongOneArrivesWithNothingOfTheLongOne()
    {
        // The queue reuses a delivered message's files for the next message (FsQueueBackend.Recycle):
        // the short message's body is written over the long one's and must end where it ends.
        var (d, mail) = StartMaildirDaemon();
        using (d)
        {
            string maildir = Path.Combine(mail, Recipient.Name);
            string longBody = string.Concat(Enumerable.Repeat("the long message, line after line\n", 400));
            using (var c = new SmtpClientHelper(d.Port))
            {
                Assert.StartsWith("250", c.SendMail("sender@example.net", [$"{Recipient.Name}@localhost"], "Subject: long\n\n" + longBody), StringComparison.Ordinal);
            }

            Wait.Until(() => Delivered(maildir).Count == 1, "the long message is in new/");
            Wait.Until(() => Directory.EnumerateFileSystemEntries(Path.Combine(d.Spool, "purge")).Any(), "its files are kept for reuse");
            using (var c = new SmtpClientHelper(d.Port))
            {
                Assert.StartsWith("250", c.SendMail("sender@example.net", [$"{Recipient.Name}@localhost"], "Subject: short\n\nshort\n"), StringComparison.Ordinal);
            }

            Wait.Until(() => Delivered(maildir).Count == 2, "the short message is in new/");
            string shortOne = Delivered(maildir).Select(File.ReadAllText).Single(t => t.Contains("Subject: short", StringComparison.Ordinal));
            Assert.EndsWith("Subject: short\n\nshort\n", shortOne, StringComparison.Ordinal);
            Assert.DoesNotContain("line after line", shortOne, StringComparison.Ordinal);
        }

        Directory.Delete(mail, true);
    }

    [EndToEndFact]
    public void UnknownUsersAndForeignDomainsAreRefusedWithInvalidRecipient()
    {
        var (d, mail) = StartMaildirDaemon();
        using (d)
        {
            using var c = new SmtpClientHelper(d.Port);
            c.Command("EHLO client.example.net");
            c.Command("MAIL FROM:<sender@example.net>");
            Assert.Equal("550 Invalid recipient: <no-such-user-here@localhost>", c.Command("RCPT TO:<no-such-user-here@localhost>"));
            Assert.Equal("550 Invalid recipient: <someone@gmail.com>", c.Command("RCPT TO:<someone@gmail.com>"));
            Assert.Matches("^250 2.1.5 Destination address valid: Recipient ok$", c.Command($"RCPT TO:<{Recipient.Name}@localhost>"));
        }

        Directory.Delete(mail, true);
    }

    [EndToEndFact]
    public void PythonSmtplibDeliversAPipelinedMessageToSeveralRecipients()
    {
        var (d, mail) = StartMaildirDaemon();
        using (d)
        {
            string script = $"import smtplib\ns = smtplib.SMTP('127.0.0.1', {d.Port})\n" +
                $"r = s.sendmail('a@example.net', ['{Recipient.Name}@localhost', '{Recipient.Name}+lists@localhost'], 'Subject: py\\r\\n\\r\\nbody\\r\\n')\n" +
                "assert r == {}, r\ns.quit()\nprint('ok')\n";
            var r = Binary.Run("python3", ["-c", script]);
            Assert.True(r.Code == 0, r.Err);
            string maildir = Path.Combine(mail, Recipient.Name);
            Wait.Until(() => Delivered(maildir).Count == 2, "both copies are delivered");
        }

        Directory.Delete(mail, true);
    }

    [EndToEndFact]
    public void AnMdaCommandGetsTheMessageOnStdinAsTheUser()
    {
        string outDir = Path.Combine(Path.GetTempPath(), "smtpd-mda-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(outDir);
        Binary.Run("chown", [$"{Recipient.Uid}:{Recipient.Gid}", outDir]);
        var (d, mail) = StartMaildirDaemon(action: $"mda \"cat > {outDir}/%{{user.username}}.eml; id -u > {outDir}/uid; echo $SENDER $RECIPIENT $USER > {outDir}/env\"");
        using (d)
        {
            using var c = new SmtpClientHelper(d.Port);
            Assert.StartsWith("250 ", c.SendMail("sender@example.net", [$"{Recipient.Name}@localhost"], "Subject: to a command\n\npiped\n"), StringComparison.Ordinal);
            string eml = Path.Combine(outDir, Recipient.Name + ".eml");
            Wait.Until(() => d.Log.Contains("result=Ok", StringComparison.Ordinal), "the command ran");
            Assert.EndsWith("\npiped\n", File.ReadAllText(eml), StringComparison.Ordinal);
            Assert.Equal(Recipient.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(outDir, "uid")).Trim());
            Assert.Equal($"sender@example.net {Recipient.Name}@localhost {Recipient.Name}", File.ReadAllText(Path.Combine(outDir, "env")).Trim());
        }

        Directory.Delete(outDir, true);
        Directory.Delete(mail, true);
    }

    [EndToEndFact]
    public void AMessageWaitingForARetrySurvivesAKill9AndIsDeliveredOnceAfterRestart()
    {
        string flag = Path.Combine(Path.GetTempPath(), "smtpd-flag-" + Guid.NewGuid().ToString("N"));
        string outDir = flag + ".out";
        Directory.CreateDirectory(outDir);
        Binary.Run("chown", [$"{Recipient.Uid}:{Recipient.Gid}", outDir]);

        // The command defers (75) until the flag file exists, then appends the message.
        string cmd = $"test -e {flag} || exit 75; cat >> {outDir}/out";
        var (d, mail) = StartMaildirDaemon(action: $"mda \"{cmd}\"");
        using (var c = new SmtpClientHelper(d.Port))
        {
            Assert.StartsWith("250 ", c.SendMail("sender@example.net", [$"{Recipient.Name}@localhost"], "Subject: durable\n\nkeep me\n"), StringComparison.Ordinal);
        }

        Wait.Until(() => d.Log.Contains("result=TempFail", StringComparison.Ordinal), "the first attempt is deferred");
        var oldRoles = d.Roles();
        d.Signal(Libc.SIGKILL);
        d.WaitExit();
        Assert.Single(Directory.EnumerateFiles(Path.Combine(d.Spool, "queue"), "message", SearchOption.AllDirectories));
        Wait.Until(() => oldRoles.All(r => !ProcInfo.Exists(r.Pid)), "the old roles are gone");

        File.WriteAllText(flag, "go");
        using (var again = Daemon.Restart(d))
        {
            again.WaitReady();
            Wait.Until(() => again.Log.Contains("result=Ok", StringComparison.Ordinal), "the restarted daemon delivers it:\n" + again.Log, TimeSpan.FromSeconds(60));
            Assert.Single(File.ReadAllLines(Path.Combine(outDir, "out")), l => l.StartsWith("keep me", StringComparison.Ordinal));
        }

        File.Delete(flag);
        Directory.Delete(outDir, true);
        Directory.Delete(mail, true);
    }

    [EndToEndFact]
    public void APermanentFailureSendsTheSenderAnRfc3464Bounce()
    {
        string me = Recipient.Name;
        var (d, mail) = StartMaildirDaemon(extraConfig: $"action \"broken\" mda \"exit 67\"\nmatch from any for rcpt-to \"{me}+broken@localhost\" action \"broken\"\n");
        using (d)
        {
            using (var c = new SmtpClientHelper(d.Port))
            {
                Assert.StartsWith("250 ", c.SendMail($"{me}@localhost", [$"{me}+broken@localhost"], "Subject: doomed\nMessage-ID: <doomed@example.net>\n\nno way\n"), StringComparison.Ordinal);
            }

            string maildir = Path.Combine(mail, me);
            Wait.Until(() => Delivered(maildir).Count == 1, "the bounce reaches the sender:\n" + d.Log);
            string bounce = File.ReadAllText(Delivered(maildir)[0]);
            Assert.Contains("From: Mailer Daemon <MAILER-DAEMON@", bounce, StringComparison.Ordinal);
            Assert.Contains("Content-Type: multipart/report; report-type=delivery-status;", bounce, StringComparison.Ordinal);
            Assert.Contains($"Final-Recipient: rfc822; {me}+broken@localhost", bounce, StringComparison.Ordinal);
            Assert.Contains("Action: failed", bounce, StringComparison.Ordinal);
            Assert.Matches(@"Status: 5\.\d\.\d", bounce);
            Assert.Contains("Message-ID: <doomed@example.net>", bounce, StringComparison.Ordinal);
            Assert.Contains("result=PermFail", d.Log, StringComparison.Ordinal);

            // Sent from the null sender, so a bounce can never bounce again.
            Wait.Until(() => !Directory.EnumerateFiles(Path.Combine(d.Spool, "queue"), "*", SearchOption.AllDirectories).Any(), "the queue is empty");
        }

        Directory.Delete(mail, true);
    }

    [EndToEndFact(needsRoot: true)]
    public void MboxDeliveryAppendsToTheUsersMailboxInTheSpool()
    {
        string mbox = Path.Combine("/var/mail", TestUser);
        File.Delete(mbox);
        var (d, mail) = StartMaildirDaemon(action: "mbox");
        using (d)
        {
            using (var c = new SmtpClientHelper(d.Port))
            {
                Assert.StartsWith("250 ", c.SendMail("sender@example.net", [$"{TestUser}@localhost"], "Subject: mbox\n\nFrom the start of a line\nend\n"), StringComparison.Ordinal);
            }

            Wait.Until(() => d.Log.Contains("result=Ok", StringComparison.Ordinal), "the mbox delivery is done:\n" + d.Log);
            string text = File.ReadAllText(mbox);
            Assert.StartsWith("From sender@example.net ", text, StringComparison.Ordinal);
            Assert.Contains("\n>From the start of a line\n", text, StringComparison.Ordinal);
            var st = Posix.TryLStat(mbox)!.Value;
            Assert.Equal((Recipient.Uid, 0b110_000_000u), (st.Uid, st.Mode & 0xfff));
        }

        File.Delete(mbox);
        Directory.Delete(mail, true);
    }

    [EndToEndFact]
    public void AKill9DuringDataLeavesNothingToDeliverAfterRestart()
    {
        var (d, mail) = StartMaildirDaemon();
        using (var c = new SmtpClientHelper(d.Port))
        {
            c.Command("EHLO client.example.net");
            c.Command("MAIL FROM:<sender@example.net>");
            c.Command($"RCPT TO:<{Recipient.Name}@localhost>");
            Assert.StartsWith("354", c.Command("DATA"), StringComparison.Ordinal);
            c.Send("Subject: half\r\n\r\nthe first half of a message that never ends\r\n");
            Wait.Until(() => Directory.EnumerateFileSystemEntries(Path.Combine(d.Spool, "incoming")).Any(), "the transaction exists in incoming/");
            var roles = d.Roles();
            d.Signal(Libc.SIGKILL);
            d.WaitExit();
            Wait.Until(() => roles.All(r => !ProcInfo.Exists(r.Pid)), "the old roles are gone");
        }

        using (var again = Daemon.Restart(d))
        {
            again.WaitReady();
            Wait.Until(() => !Directory.EnumerateFileSystemEntries(Path.Combine(again.Spool, "incoming")).Any(), "the unacknowledged transaction is purged at start");
            Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(again.Spool, "temporary")));
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(again.Spool, "queue"), "*", SearchOption.AllDirectories));
            Assert.Empty(Delivered(Path.Combine(mail, Recipient.Name)));
        }

        Directory.Delete(mail, true);
    }

    [EndToEndFact]
    public void AThousandRecipientsAndAFiftyMegabyteMessageAreAcceptedAndDelivered()
    {
        var (d, mail) = StartMaildirDaemon(extraConfig: "smtp max-message-size 60M\n");
        using (d)
        {
            string maildir = Path.Combine(mail, Recipient.Name);
            using (var c = new SmtpClientHelper(d.Port))
            {
                var rcpts = Enumerable.Range(0, 1000).Select(i => $"{Recipient.Name}+r{i}@localhost").ToList();
                Assert.StartsWith("250 ", c.SendMail("sender@example.net", rcpts, "Subject: many\n\nhello all\n"), StringComparison.Ordinal);

                string line = new string('y', 998) + "\r\n";
                Assert.StartsWith("250", c.Command("MAIL FROM:<sender@example.net>"), StringComparison.Ordinal);
                Assert.StartsWith("250", c.Command($"RCPT TO:<{Recipient.Name}@localhost>"), StringComparison.Ordinal);
                Assert.StartsWith("354", c.Command("DATA"), StringComparison.Ordinal);
                c.Send("Subject: big\r\n\r\n");
                for (int i = 0; i < 50 * 1024 * 1024 / line.Length; i++)
                {
                    c.Send(line);
                }

                c.Send(".\r\n");
                Assert.StartsWith("250 2.0.0 ", c.ReadReply(), StringComparison.Ordinal);
            }

            Wait.Until(() => Delivered(maildir).Count == 1001, "every copy is delivered", TimeSpan.FromSeconds(240));
            Assert.Single(Delivered(maildir), f => new FileInfo(f).Length > 50_000_000);
        }

        Directory.Delete(mail, true);
    }

    [EndToEndFact]
    public void SwaksDeliversWithPipeliningAndSeesTheAcceptReply()
    {
        var (d, mail) = StartMaildirDaemon();
        using (d)
        {
            var r = Binary.Run("swaks", ["--server", $"127.0.0.1:{d.Port}", "--from", "sender@example.net", "--to", $"{Recipient.Name}@localhost", "--pipeline", "--header", "Subject: from swaks", "--body", "hello from swaks"]);
            Assert.True(r.Code == 0, r.Out + r.Err);
            Assert.Matches(@"<-  250 2\.0\.0 [0-9a-f]{8} Message accepted for delivery", r.Out);
            Assert.Contains("PIPELINING", r.Out, StringComparison.Ordinal);
            string maildir = Path.Combine(mail, Recipient.Name);
            Wait.Until(() => Delivered(maildir).Count == 1, "swaks' message is delivered");
            Assert.Contains("hello from swaks", File.ReadAllText(Delivered(maildir)[0]), StringComparison.Ordinal);
        }

        Directory.Delete(mail, true);
    }

    [EndToEndFact]
    public void MailThatKeepsFailingTemporarilyGetsTheSenderADelayWarning()
    {
        string me = Recipient.Name;
        var (d, mail) = StartMaildirDaemon(extraConfig: $"bounce warn-interval 2s\naction \"later\" mda \"exit 75\"\nmatch from any for rcpt-to \"{me}+later@localhost\" action \"later\"\n");
        using (d)
        {
            using (var c = new SmtpClientHelper(d.Port))
            {
                Assert.StartsWith("250 ", c.SendMail($"{me}@localhost", [$"{me}+later@localhost"], "Subject: slow\n\nwaiting\n"), StringComparison.Ordinal);
            }

            string maildir = Path.Combine(mail, me);
            Wait.Until(() => Delivered(maildir).Count == 1, "the delay warning reaches the sender:\n" + d.Log);
            string warning = File.ReadAllText(Delivered(maildir)[0]);
            Assert.Contains("Subject: Delivery status notification: delayed", warning, StringComparison.Ordinal);
            Assert.Contains("Action: delayed", warning, StringComparison.Ordinal);
            Assert.Contains($"Final-Recipient: rfc822; {me}+later@localhost", warning, StringComparison.Ordinal);

            // The original stays queued for its next attempt (the warning's own message leaves once delivered).
            Wait.Until(() => Directory.EnumerateFiles(Path.Combine(d.Spool, "queue"), "message", SearchOption.AllDirectories).Count() == 1, "only the delayed message is left in the queue");
        }

        Directory.Delete(mail, true);
    }
}
