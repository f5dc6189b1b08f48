// The scheduler role in a running daemon: its in-flight limit comes from smtpd.conf and holds
// back deliveries that the dispatcher would otherwise run side by side.
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class SchedulerInFlightTests
{
    private const string TestUser = "smtpdtest";

    public SchedulerInFlightTests()
    {
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
            Binary.EnsureUser(TestUser);
        }
    }

    private static PasswdEntry Recipient => Binary.IsRoot ? Posix.GetPwNam(TestUser)! : Posix.GetPwUid(Posix.GetEUid())!;

    [EndToEndFact]
    public void WithMaxInflightOneDeliveriesRunOneAtATimeAndAllArrive()
    {
        string outDir = Path.Combine(Path.GetTempPath(), "smtpd-sched-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(outDir);
        Binary.Run("chown", [$"{Recipient.Uid}:{Recipient.Gid}", outDir]);

        // mkdir is atomic: a second delivery starting while one runs leaves a mark.
        string cmd = $"mkdir {outDir}/busy 2>/dev/null || touch {outDir}/overlap; sleep 0.3; cat > {outDir}/$$.eml; rmdir {outDir}/busy 2>/dev/null; exit 0";
        string conf = $"listen on 127.0.0.1 port {{PORT}}\nscheduler limit max-inflight 1\naction \"local\" mda \"{cmd}\"\nmatch from any for local action \"local\"\n";
        using (var d = Daemon.Start(conf).WaitReady())
        {
            using var c = new SmtpClientHelper(d.Port);
            string[] rcpts = [.. Enumerable.Range(1, 4).Select(i => $"{Recipient.Name}+t{i}@localhost")];
            Assert.StartsWith("250 ", c.SendMail("sender@example.net", rcpts, "Subject: one at a time\n\nbody\n"), StringComparison.Ordinal);

            Wait.Until(() => Directory.GetFiles(outDir, "*.eml").Length == 4, "every copy is delivered");
            Wait.Until(() => !Directory.EnumerateFiles(Path.Combine(d.Spool, "queue"), "*", SearchOption.AllDirectories).Any(), "the queue is empty again");
            Assert.False(File.Exists(Path.Combine(outDir, "overlap")), "two deliveries ran at once");
        }

        Directory.Delete(outDir, true);
    }
}
