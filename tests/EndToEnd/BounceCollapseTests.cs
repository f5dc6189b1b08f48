// Many recipients of one message failing together give the sender one report, not one per
// recipient, and a recipient named several times is delivered and listed once: a client cannot
// turn one message with a thousand RCPTs into a thousand bounces (OpenSMTPD's bounce.c groups
// reports by message and kind the same way; Postfix drops duplicate recipients).
using System.Text.RegularExpressions;
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class BounceCollapseTests
{
    private const string TestUser = "smtpdtest";

    public BounceCollapseTests()
    {
        if (Binary.IsRoot && Binary.Path is not null)
        {
            Binary.EnsureSystemUsers();
            Binary.EnsureUser(TestUser);
        }
    }

    private static PasswdEntry Recipient => Binary.IsRoot ? Posix.GetPwNam(TestUser)! : Posix.GetPwUid(Posix.GetEUid())!;

    private static List<string> Files(string dir) => Directory.Exists(dir) ? [.. Directory.GetFiles(dir)] : [];

    [EndToEndFact]
    public void ManyFailedRecipientsOfOneMessageGiveOneReportListingEachOnce()
    {
        string me = Recipient.Name;
        const int distinct = 30;
        var failing = Enumerable.Range(1, distinct).Select(i => $"{me}+b{i}@localhost").ToList();
        // Every failing address is named twice, the first one five times more.
        var rcpts = failing.Concat(failing).Concat(Enumerable.Repeat(failing[0], 5)).ToList();

        string mail = Path.Combine(Path.GetTempPath(), "smtpd-collapse-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(mail);
        Binary.Run("chown", [$"{Recipient.Uid}:{Recipient.Gid}", mail]);
        string table = string.Join(", ", failing.Select(a => $"\"{a}\""));
        using (var d = Daemon.Start(
                   $"listen on 127.0.0.1 port {{PORT}}\ntable broken {{ {table} }}\n" +
                   "action \"broken\" mda \"echo no such mailbox; exit 67\"\n" +
                   $"action \"local\" maildir \"{mail}/%{{user.username}}\"\n" +
                   "match from any for rcpt-to <broken> action \"broken\"\nmatch from any for local action \"local\"\n").WaitReady())
        {
            using (var c = new SmtpClientHelper(d.Port))
            {
                Assert.StartsWith("250 ", c.SendMail($"{me}@localhost", rcpts, "Subject: to many\n\nnobody home\n"), StringComparison.Ordinal);
            }

            string maildir = Path.Combine(mail, me, "new");
            Wait.Until(() => Regex.Count(d.Log, "result=PermFail") >= distinct, "every recipient fails:\n" + d.Log, TimeSpan.FromSeconds(60));
            Wait.Until(() => Files(maildir).Count >= 1, "a report reaches the sender:\n" + d.Log);
            Wait.Until(() => !Directory.EnumerateFiles(Path.Combine(d.Spool, "queue"), "*", SearchOption.AllDirectories).Any(), "nothing is left queued:\n" + d.Log);

            // Each distinct recipient was tried once (its duplicates share its envelope)...
            Assert.Equal(distinct, Regex.Count(d.Log, "result=PermFail"));

            // ...and is reported once, in one report (a second one only if a sibling failed more
            // than the batching delay after the others, as on a very loaded machine).
            var reports = Files(maildir);
            Assert.True(reports.Count <= 2, $"{reports.Count} reports for one message:\n" + d.Log);
            string report = string.Concat(reports.Select(File.ReadAllText));
            foreach (string a in failing)
            {
                Assert.Single(Regex.Matches(report, $"^Final-Recipient: rfc822; {Regex.Escape(a)}\r?$", RegexOptions.Multiline));
            }

            Assert.Equal(distinct, Regex.Count(report, "^Final-Recipient:", RegexOptions.Multiline));
            Assert.Contains("Action: failed", report, StringComparison.Ordinal);
        }

        Directory.Delete(mail, true);
    }

    [EndToEndFact]
    public void AThousandRcptsOfOneFailingAddressGiveOneDeliveryAndOneReport()
    {
        string me = Recipient.Name;
        string mail = Path.Combine(Path.GetTempPath(), "smtpd-collapse-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(mail);
        Binary.Run("chown", [$"{Recipient.Uid}:{Recipient.Gid}", mail]);
        using (var d = Daemon.Start(
                   "listen on 127.0.0.1 port {PORT}\n" +
                   "action \"broken\" mda \"exit 67\"\n" +
                   $"action \"local\" maildir \"{mail}/%{{user.username}}\"\n" +
                   $"match from any for rcpt-to \"{me}+gone@localhost\" action \"broken\"\nmatch from any for local action \"local\"\n").WaitReady())
        {
            using (var c = new SmtpClientHelper(d.Port))
            {
                Assert.StartsWith("250 ", c.SendMail($"{me}@localhost", Enumerable.Repeat($"{me}+gone@localhost", 1000), "Subject: again and again\n\nx\n"), StringComparison.Ordinal);
            }

            string maildir = Path.Combine(mail, me, "new");
            Wait.Until(() => Files(maildir).Count >= 1, "a report reaches the sender:\n" + d.Log, TimeSpan.FromSeconds(60));
            Wait.Until(() => !Directory.EnumerateFiles(Path.Combine(d.Spool, "queue"), "*", SearchOption.AllDirectories).Any(), "nothing is left queued:\n" + d.Log);
            Assert.Equal(1, Regex.Count(d.Log, "result=PermFail"));
            Assert.Single(Files(maildir));
            Assert.Equal(1, Regex.Count(File.ReadAllText(Files(maildir)[0]), "^Final-Recipient:", RegexOptions.Multiline));
        }

        Directory.Delete(mail, true);
    }
}
