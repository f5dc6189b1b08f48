// The delivery helpers (`smtpd -x mda`) are kept per user between deliveries and closed when idle:
// consecutive deliveries to one user run in the same helper, and none is left once mail stops.
// Helpers that write mail themselves run at nice 19, commands at the daemon's priority; and
// `mda limit max-session-per-user` bounds how many of a user's deliveries run at once.
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public sealed class DeliveryHelperTests : IDisposable
{
    private const string TestUser = "smtpdtest";
    private readonly string _out;

    public DeliveryHelperTests()
    {
        _out = Directory.CreateTempSubdirectory("smtpd-helpers-").FullName;
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
            Binary.EnsureUser(TestUser);

            // The command runs as the recipient.
            Binary.Run("chmod", ["1777", _out]);
        }
    }

    public void Dispose() => Directory.Delete(_out, recursive: true);

    private static string Recipient => Binary.IsRoot ? TestUser : Posix.GetPwUid(Posix.GetEUid())!.Name;

    [EndToEndFact]
    public void DeliveriesToOneUserShareAHelperThatExitsWhenIdle()
    {
        // $PPID of the command's shell is the helper that ran it.
        string ppids = Path.Combine(_out, "ppids");
        string conf = $"listen on 127.0.0.1 port {{PORT}}\naction \"local\" mda \"echo $PPID >> {ppids}; cat > /dev/null\"\nmatch from any for local action \"local\"\n";
        using var d = Daemon.Start(conf).WaitReady();
        for (int i = 1; i <= 3; i++)
        {
            using (var c = new SmtpClientHelper(d.Port))
            {
                Assert.StartsWith("250 ", c.SendMail("sender@example.net", [$"{Recipient}@localhost"], $"Subject: {i}\n\nbody {i}\n"), StringComparison.Ordinal);
            }

            // Done means reported done: the helper is back in the idle pool only once the
            // parent has its result, and the next delivery may start only then to reuse it.
            int n = i;
            Wait.Until(() => File.Exists(ppids) && File.ReadAllLines(ppids).Length == n
                && d.Log.Split('\n').Count(l => l.Contains("result=Ok", StringComparison.Ordinal)) == n, $"delivery {i} ran and was reported");
        }

        var helpers = File.ReadAllLines(ppids).Select(int.Parse).Distinct().ToList();
        Assert.Single(helpers);
        int helper = helpers[0];
        var info = ProcInfo.Read(helper);
        Assert.NotNull(info);
        Assert.Equal(d.Pid, info.PPid);
        Assert.Contains("-x mda", info.CmdLine, StringComparison.Ordinal);

        // Idle helpers are closed after a few seconds (5 s, swept every 5 s).
        Wait.Until(() => !ProcInfo.Exists(helper), "the idle helper exits", TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(ProcInfo.ChildrenOf(d.Pid), p => p.CmdLine.Contains("-x mda", StringComparison.Ordinal));
    }

    [EndToEndFact]
    public void MaildirHelpersRunNicedAndCommandsAtTheDaemonsPriority()
    {
        string commandOut = Path.Combine(_out, "command");
        string conf = $$"""
            listen on 127.0.0.1 port {PORT}
            action "md" maildir "{{_out}}/%{user.username}/Maildir"
            action "cmd" mda "echo $PPID $(nice) > {{commandOut}}; cat > /dev/null"
            match from any for domain "m.test" action "md"
            match from any for local action "cmd"

            """;
        using var d = Daemon.Start(conf).WaitReady();
        foreach (string to in new[] { $"{Recipient}@m.test", $"{Recipient}@localhost" })
        {
            using var c = new SmtpClientHelper(d.Port);
            Assert.StartsWith("250 ", c.SendMail("sender@example.net", [to], $"Subject: {to}\n\nbody\n"), StringComparison.Ordinal);
        }

        string newDir = Path.Combine(_out, Recipient, "Maildir", "new");
        Wait.Until(() => Directory.Exists(newDir) && Directory.GetFiles(newDir).Length == 1, "the maildir delivery");
        Wait.Until(() => File.Exists(commandOut) && File.ReadAllText(commandOut).Trim().Split(' ').Length == 2, "the command ran");
        string[] command = File.ReadAllText(commandOut).Trim().Split(' ');
        int commandHelper = int.Parse(command[0]);
        Assert.Equal("0", command[1]);
        Assert.Equal(0, Nice(commandHelper));

        // Both helpers wait idle for a few seconds: the other one wrote the maildir.
        var maildirHelper = Assert.Single(ProcInfo.ChildrenOf(d.Pid), p => p.CmdLine.Contains("-x mda", StringComparison.Ordinal) && p.Pid != commandHelper);
        Assert.Equal(19, Nice(maildirHelper.Pid));
    }

    [EndToEndFact]
    public void MaxSessionPerUserRunsAUsersDeliveriesOneAtATime()
    {
        // Each delivery notes its start and end with a second between; three messages arrive at
        // once, so with the default limit (7) the lines would interleave.
        string log = Path.Combine(_out, "log");
        string conf = $$"""
            mda limit max-session-per-user 1
            listen on 127.0.0.1 port {PORT}
            action "local" mda "echo start >> {{log}}; sleep 1; echo end >> {{log}}; cat > /dev/null"
            match from any for local action "local"

            """;
        using var d = Daemon.Start(conf).WaitReady();
        for (int i = 1; i <= 3; i++)
        {
            using var c = new SmtpClientHelper(d.Port);
            Assert.StartsWith("250 ", c.SendMail("sender@example.net", [$"{Recipient}@localhost"], $"Subject: {i}\n\nbody {i}\n"), StringComparison.Ordinal);
        }

        Wait.Until(() => File.Exists(log) && File.ReadAllLines(log).Length == 6, "three deliveries", TimeSpan.FromSeconds(30));
        Assert.Equal(["start", "end", "start", "end", "start", "end"], File.ReadAllLines(log));
    }

    // The nice value of a process's main thread (/proc/PID/stat, field 19).
    private static int Nice(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16], System.Globalization.CultureInfo.InvariantCulture);
    }
}
