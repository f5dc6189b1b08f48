// Deliveries that fail as OpenSMTPD's mda reports them: a message that has been here before
// (a Delivered-To for its destination) is bounced as a loop, and a failing `mda` command is
// quoted by the last line it printed, in the log and in the bounce the sender gets.
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class DeliveryFailureReportTests
{
    private const string TestUser = "smtpdtest";

    public DeliveryFailureReportTests()
    {
        if (Binary.IsRoot && Binary.Path is not null)
        {
            Binary.EnsureSystemUsers();
            Binary.EnsureUser(TestUser);
        }
    }

    private static PasswdEntry Recipient => Binary.IsRoot ? Posix.GetPwNam(TestUser)! : Posix.GetPwUid(Posix.GetEUid())!;

    /// <summary>A daemon storing the user's mail in {mail}/USER, with extra actions and matches first.</summary>
    private static (Daemon Daemon, string Maildir, string Root) Start(string extra = "")
    {
        string mail = Path.Combine(Path.GetTempPath(), "smtpd-fail-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(mail);
        Binary.Run("chown", [$"{Recipient.Uid}:{Recipient.Gid}", mail]);
        var d = Daemon.Start($"listen on 127.0.0.1 port {{PORT}}\n{extra}action \"local\" maildir \"{mail}/%{{user.username}}\"\nmatch from any for local action \"local\"\n").WaitReady();
        return (d, Path.Combine(mail, Recipient.Name, "new"), mail);
    }

    private static List<string> Files(string dir) => Directory.Exists(dir) ? [.. Directory.GetFiles(dir)] : [];

    [EndToEndFact]
    public void AMessageAlreadyDeliveredToItsRecipientIsBouncedAsALoop()
    {
        string me = $"{Recipient.Name}@localhost";
        var (d, maildir, root) = Start();
        using (d)
        {
            using (var c = new SmtpClientHelper(d.Port))
            {
                Assert.StartsWith("250 ", c.SendMail(me, [me], $"Delivered-To: {me}\nSubject: round and round\nMessage-ID: <loop@example.net>\n\nagain\n"), StringComparison.Ordinal);
            }

            Wait.Until(() => d.Log.Contains("result=PermFail stat=Loop detected", StringComparison.Ordinal), "the loop is logged:\n" + d.Log);
            Assert.Matches($@"mda delivery evpid=[0-9a-f]{{16}} from=<{me}> to=<{me}> rcpt=<{me}> user={Recipient.Name} delay=\d+s result=PermFail stat=Loop detected", d.Log);

            // The one message the sender (the same user) gets is the report, not the looping mail.
            Wait.Until(() => Files(maildir).Count == 1, "the bounce reaches the sender:\n" + d.Log);
            string bounce = File.ReadAllText(Files(maildir)[0]);
            Assert.Contains("Subject: Delivery status notification: failed", bounce, StringComparison.Ordinal);
            Assert.Contains($"{me}: Loop detected", bounce, StringComparison.Ordinal);
            Assert.Contains("Action: failed", bounce, StringComparison.Ordinal);
            Assert.Contains("Status: 5.4.6", bounce, StringComparison.Ordinal);
            Assert.Contains("Message-ID: <loop@example.net>", bounce, StringComparison.Ordinal);
            Wait.Until(() => !Directory.EnumerateFiles(Path.Combine(d.Spool, "queue"), "*", SearchOption.AllDirectories).Any(), "nothing is left queued");
            Assert.Single(Files(maildir));
        }

        Directory.Delete(root, true);
    }

    [EndToEndFact]
    public void AMessageThatAnMdaCommandSendsBackToItsRecipientIsStoppedAsALoop()
    {
        // A real loop: the command hands what it receives (delivery headers included) back to the
        // daemon for the same address, as a forward to oneself would.
        string me = Recipient.Name;
        string script = Path.Combine(Path.GetTempPath(), "smtpd-resend-" + Guid.NewGuid().ToString("N") + ".py");
        File.WriteAllText(script, $"""
            import smtplib, sys
            data = sys.stdin.buffer.read().replace(b'\r\n', b'\n').replace(b'\n', b'\r\n')
            s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]))
            s.sendmail('{me}@localhost', ['{me}+loop@localhost'], data)
            s.quit()
            """);
        var (d, maildir, root) = Start($"action \"resend\" mda \"python3 {script} {{PORT}}\"\nmatch from any for rcpt-to \"{me}+loop@localhost\" action \"resend\"\n");
        using (d)
        {
            using (var c = new SmtpClientHelper(d.Port))
            {
                Assert.StartsWith("250 ", c.SendMail($"{me}@localhost", [$"{me}+loop@localhost"], "Subject: to myself\nMessage-ID: <round@example.net>\n\nagain and again\n"), StringComparison.Ordinal);
            }

            // The first copy went through the command; the one it sent back is refused (which
            // may be logged before the command has exited and its delivery is logged).
            bool FirstDelivered(string l) => l.Contains("result=Ok stat=Delivered", StringComparison.Ordinal) && l.Contains($"to=<{me}+loop@localhost>", StringComparison.Ordinal);
            Wait.Until(() => d.Log.Contains("result=PermFail stat=Loop detected", StringComparison.Ordinal) && d.Log.Split('\n').Any(FirstDelivered), "the loop is caught:\n" + d.Log);
            Wait.Until(() => Files(maildir).Count == 1, "the bounce reaches the sender:\n" + d.Log);
            string bounce = File.ReadAllText(Files(maildir)[0]);
            Assert.Contains($"{me}+loop@localhost: Loop detected", bounce, StringComparison.Ordinal);
            Assert.Contains("Status: 5.4.6", bounce, StringComparison.Ordinal);
            Assert.Contains($"Delivered-To: {me}+loop@localhost", bounce, StringComparison.Ordinal);
            Wait.Until(() => !Directory.EnumerateFiles(Path.Combine(d.Spool, "queue"), "*", SearchOption.AllDirectories).Any(), "nothing goes round any more");
            Assert.Single(d.Log.Split('\n'), FirstDelivered);
        }

        File.Delete(script);
        Directory.Delete(root, true);
    }

    [EndToEndFact]
    public void ADeliveredToForAnotherAddressOrInTheBodyIsNoLoop()
    {
        string me = $"{Recipient.Name}@localhost";
        var (d, maildir, root) = Start();
        using (d)
        {
            using (var c = new SmtpClientHelper(d.Port))
            {
                Assert.StartsWith("250 ", c.SendMail("sender@example.net", [me], "Delivered-To: someone-else@example.org\nSubject: fine\n\nDelivered-To: " + me + "\n"), StringComparison.Ordinal);
            }

            Wait.Until(() => Files(maildir).Count == 1, "the message is delivered:\n" + d.Log);
            Wait.Until(() => d.Log.Contains("result=Ok stat=Delivered", StringComparison.Ordinal), "the delivery is logged as Ok:\n" + d.Log);
        }

        Directory.Delete(root, true);
    }

    [EndToEndFact]
    public void AFailingMdaCommandsLastLineIsInTheLogAndInTheBounce()
    {
        string me = Recipient.Name;
        string command = "echo starting; echo mailbox quota exceeded for $USER >&2; exit 73";
        var (d, maildir, root) = Start($"action \"broken\" mda \"{command}\"\nmatch from any for rcpt-to \"{me}+broken@localhost\" action \"broken\"\n");
        using (d)
        {
            using (var c = new SmtpClientHelper(d.Port))
            {
                Assert.StartsWith("250 ", c.SendMail($"{me}@localhost", [$"{me}+broken@localhost"], "Subject: doomed\n\nno way\n"), StringComparison.Ordinal);
            }

            Wait.Until(() => d.Log.Contains("result=PermFail", StringComparison.Ordinal), "the failure is logged:\n" + d.Log);
            // The log adds what exit status 73 (EX_CANTCREAT) means.
            Assert.Contains($"result=PermFail stat=Error (can't create user output file: \"mailbox quota exceeded for {me}\")", d.Log, StringComparison.Ordinal);

            Wait.Until(() => Files(maildir).Count == 1, "the bounce reaches the sender:\n" + d.Log);
            string bounce = File.ReadAllText(Files(maildir)[0]);
            Assert.Contains($"{me}+broken@localhost: \"mailbox quota exceeded for {me}\"", bounce, StringComparison.Ordinal);
            Assert.Contains("Action: failed", bounce, StringComparison.Ordinal);
        }

        Directory.Delete(root, true);
    }

    [EndToEndFact]
    public void ACommandThatPrintsNothingIsReportedByHowItEnded()
    {
        string me = Recipient.Name;
        var (d, maildir, root) = Start($"action \"broken\" mda \"exit 1\"\nmatch from any for rcpt-to \"{me}+broken@localhost\" action \"broken\"\n");
        using (d)
        {
            using (var c = new SmtpClientHelper(d.Port))
            {
                Assert.StartsWith("250 ", c.SendMail($"{me}@localhost", [$"{me}+broken@localhost"], "Subject: doomed\n\nno way\n"), StringComparison.Ordinal);
            }

            Wait.Until(() => d.Log.Contains("result=PermFail stat=Error (exited abnormally)", StringComparison.Ordinal), "the failure is logged:\n" + d.Log);
            Wait.Until(() => Files(maildir).Count == 1, "the bounce reaches the sender:\n" + d.Log);
            Assert.Contains($"{me}+broken@localhost: exited abnormally", File.ReadAllText(Files(maildir)[0]), StringComparison.Ordinal);
        }

        Directory.Delete(root, true);
    }
}
