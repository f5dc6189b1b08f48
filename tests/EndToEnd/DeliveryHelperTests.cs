// The delivery helpers (`smtpd -x mda`) are kept per user between deliveries and closed when idle:
// consecutive deliveries to one user run in the same helper, and none is left once mail stops.
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

            Wait.Until(() => File.Exists(ppids) && File.ReadAllLines(ppids).Length == i, $"delivery {i} ran");
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
}
