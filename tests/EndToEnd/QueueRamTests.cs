// smtpd -B queue=ram: the queue kept in the queue process's memory (OpenSMTPD's ram backend), for
// tests and throwaway relays. Mail goes through it as through the spool, nothing of it reaches
// the disk, and the daemon says loudly at start that a stop loses what is queued.
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class QueueRamTests
{
    // Root may not receive mail through an mda command: as root, a test user does.
    private static string Me => Binary.MailRecipient();

    [EndToEndFact]
    public void MailWaitsInMemoryAndIsDeliveredFromThere()
    {
        string outDir = Directory.CreateTempSubdirectory("smtpd-ram-").FullName;
        File.SetUnixFileMode(outDir, (UnixFileMode)0b111_111_111);
        string output = Path.Combine(outDir, "delivered");
        string conf = $"listen on 127.0.0.1 port {{PORT}}\naction \"local\" mda \"cat > {output}\"\nmatch from any for local action \"local\"\n";
        try
        {
            using var d = Daemon.Start(conf, extraArgs: ["-B", "queue=ram", "-P", "mda"]).WaitReady();
            Wait.Until(() => d.Log.Contains("ram queue backend", StringComparison.Ordinal), "the queue role announces its backend");
            Assert.Contains("warn: queue: using the ram queue backend: queued mail is kept in memory only and is LOST when smtpd stops or crashes", d.Log, StringComparison.Ordinal);

            using (var c = new SmtpClientHelper(d.Port))
            {
                Assert.StartsWith("250 ", c.SendMail("sender@example.org", [Me + "@localhost"], "Subject: ram\n\nkept in memory\n"), StringComparison.Ordinal);
            }

            // Queued (smtpctl sees it), with delivery paused, and not one file in the spool for it.
            Wait.Until(() => d.Ctl("show", "queue").Out.Contains("|pending|", StringComparison.Ordinal), "the message is queued");
            Assert.Empty(Directory.EnumerateFiles(d.Spool, "*", SearchOption.AllDirectories));

            Assert.Equal("command succeeded\n", d.Ctl("resume", "mda").Out);
            Wait.Until(() => File.Exists(output) && File.ReadAllText(output).Contains("kept in memory", StringComparison.Ordinal), "the message is delivered");
            Wait.Until(() => d.Ctl("show", "queue").Out.Length == 0, "the queue is empty again");
            Assert.Contains("Subject: ram\n", File.ReadAllText(output), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(outDir, true);
        }
    }

    [EndToEndFact]
    public void AnUnknownQueueBackendKeepsTheSpoolOnDiskAndSaysSo()
    {
        using var d = Daemon.Start(extraArgs: ["-B", "queue=proc"]).WaitReady();
        Assert.Contains("warn: queue backend \"proc\" is not supported, using \"fs\"", d.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("ram queue backend", d.Log, StringComparison.Ordinal);
    }
}
