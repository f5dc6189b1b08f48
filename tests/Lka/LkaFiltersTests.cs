// The lka's filter engine with a real filter process end (a socketpair standing in for it):
// reports reach the processes of the session's chain in their protocol's layout, a builtin
// report decision becomes a filter-report event, and a process that only reads reports never
// holds a session up.
using System.Net;
using System.Net.Sockets;
using System.Text;
using Smtpd.Config;
using Smtpd.Interop;
using Smtpd.Ipc.Messages;
using Smtpd.Lka;
using Smtpd.Smtp;
using Smtpd.Tables;

namespace Smtpd.Tests.Lka;

public class LkaFiltersTests
{
    private static LkaFilters Build(string conf)
    {
        var r = ConfigLoader.LoadFromString(conf + "action \"local\" maildir\nmatch from any for local action \"local\"\n", "test.conf");
        Assert.True(r.Success, string.Join("\n", r.Errors));
        var tables = new TableSet(r.Config!, "mx.example.org", [IPAddress.Loopback]);
        return new LkaFilters(r.Config!, tables, "mx.example.org", (_, _) => { }, new Dictionary<string, DkimSigningStage>());
    }

    private static (StreamReader Reader, NetworkStream Stream) Attach(LkaFilters filters, string proc, string registrations)
    {
        var (mine, theirs) = Posix.SocketPair();
        filters.ProcStarted(proc, mine, stderr: false);
        var stream = new NetworkStream(new Socket(new SafeSocketHandle(theirs.Release(), ownsHandle: true)), ownsSocket: true);
        var reader = new StreamReader(stream, Encoding.Latin1);
        while (ReadLine(reader) != "config|ready")
        {
        }

        stream.Write(Encoding.Latin1.GetBytes(registrations + "register|ready\n"));
        Assert.True(SpinWait.SpinUntil(() => filters.ProcReady(proc), TimeSpan.FromSeconds(10)), "the process is ready");
        return (reader, stream);
    }

    private static string ReadLine(StreamReader reader)
    {
        var line = reader.ReadLineAsync();
        Assert.True(line.Wait(TimeSpan.FromSeconds(10)), "a line from the daemon");
        return line.Result ?? throw new IOException("closed");
    }

    [Fact]
    public async Task Protocol06GetsLinkAuthWithTheUserFirstAndBuiltinReportsArriveAsFilterReport()
    {
        var filters = Build("proc \"old\" \"x\" protocol \"0.6\"\n"
            + "filter \"p\" proc \"old\"\n"
            + "filter \"rep\" phase helo match helo { \"report.example\" } report \"saw report.example\"\n"
            + "filter \"c\" chain { \"rep\", \"p\" }\n"
            + "listen on localhost filter \"c\"\n");
        var (reader, stream) = Attach(filters, "old", "register|report|smtp-in|link-auth\nregister|report|smtp-in|filter-report\nregister|filter|smtp-in|helo\n");
        using (stream)
        {
            filters.Begin(new FilterBegin(0x77, 0, "client.example.net", FcrdnsResult.Pass, "192.0.2.1", "192.0.2.1:1234", "192.0.2.2:25"));
            var session = filters.Session(0x77)!;
            var helo = filters.RunPhaseAsync(session, SmtpFilterPhase.Helo, "report.example");
            Assert.Equal("report|0.6|", ReadLine(reader)[..11]);
            string request = ReadLine(reader);
            Assert.Matches(@"^filter\|0\.6\|\d+\.\d{6}\|smtp-in\|helo\|0000000000000077\|([0-9a-f]{16})\|report\.example$", request);
            stream.Write(Encoding.Latin1.GetBytes($"filter-result|77|{request.Split('|')[6]}|proceed\n"));
            Assert.Equal(FilterAnswerKind.Proceed, (await helo).Kind);

            filters.Report(new FilterReport(0x77, 1_700_000_000_000_001, "link-auth", ["pass", "alice"]));
            Assert.Equal("report|0.6|1700000000.000001|smtp-in|link-auth|0000000000000077|alice|pass", ReadLine(reader));
            Assert.Equal("alice", session.Username);
        }
    }

    [Fact]
    public async Task AReportOnlyProcessThatIsDownDoesNotHoldASessionUp()
    {
        var filters = Build("filter \"r\" proc-exec \"reporter\"\n"
            + "filter \"deny\" phase mail-from match mail-from { \"spam@example.net\" } reject \"550 no\"\n"
            + "filter \"c\" chain { \"r\", \"deny\" }\n"
            + "listen on localhost filter \"c\"\n");
        var (_, stream) = Attach(filters, "r", "register|report|smtp-in|*\n");
        filters.Begin(new FilterBegin(0x88, 0, "client.example.net", FcrdnsResult.Pass, "192.0.2.1", "192.0.2.1:1234", "192.0.2.2:25"));
        var session = filters.Session(0x88)!;
        Assert.Equal(FilterAnswerKind.Proceed, (await filters.RunPhaseAsync(session, SmtpFilterPhase.MailFrom, "<ok@example.net>")).Kind);

        // The reporter goes away: the chain still answers at once.
        stream.Dispose();
        await Task.Delay(200);
        var started = DateTime.UtcNow;
        var answer = await filters.RunPhaseAsync(session, SmtpFilterPhase.MailFrom, "<spam@example.net>");
        Assert.Equal(new FilterAnswer(FilterAnswerKind.Reject, "550 no"), answer);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
    }
}
