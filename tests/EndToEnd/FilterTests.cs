// Filters as an admin sees them, against the real daemon: a scripted filter process
// (EndToEnd/Filters/scripted_filter.py, python3) in protocol 0.7 and 0.6 gets the handshake, the
// report stream and the filter requests, and refuses, rewrites and rewrites message lines;
// builtin filters act in each phase with their configured replies; and a filter that dies,
// hangs or speaks garbage costs only the waiting session a 451 while the daemon goes on and
// restarts it.
using System.Net;
using System.Net.Sockets;
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class FilterTests
{
    private const string TestUser = "smtpdtest";

    public FilterTests()
    {
        if (Binary.IsRoot && Binary.Path is not null)
        {
            Binary.EnsureSystemUsers();
            Binary.EnsureUser(TestUser);
        }
    }

    private static PasswdEntry Recipient => Binary.IsRoot ? Posix.GetPwNam(TestUser)! : Posix.GetPwUid(Posix.GetEUid())!;

    /// <summary>A work directory the filter (as the smtpd user) and the recipient may write in, with the script.</summary>
    private sealed class Rig : IDisposable
    {
        public Rig()
        {
            Directory.CreateDirectory(Dir);
            File.SetUnixFileMode(Dir, (UnixFileMode)0b111_111_111);
            File.Copy(Path.Combine(AppContext.BaseDirectory, "EndToEnd", "Filters", "scripted_filter.py"), Script);
            File.SetUnixFileMode(Script, (UnixFileMode)0b111_101_101);
            Directory.CreateDirectory(Mail);
            Binary.Run("chown", [$"{Recipient.Uid}:{Recipient.Gid}", Mail]);
        }

        public string Dir { get; } = Path.Combine(Path.GetTempPath(), "smtpd-filter-" + Guid.NewGuid().ToString("N"));

        public string Script => Path.Combine(Dir, "scripted_filter.py");

        public string Mail => Path.Combine(Dir, "mail");

        public string Maildir => Path.Combine(Mail, Recipient.Name);

        public string LogOf(string filter) => Path.Combine(Dir, filter + ".log");

        public string Lines(string filter) => File.Exists(LogOf(filter)) ? File.ReadAllText(LogOf(filter)) : string.Empty;

        public int PidOf(string filter) => int.Parse(File.ReadAllText(LogOf(filter) + ".pid"), System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>The proc-exec command that runs the script as filter <paramref name="name"/>.</summary>
        public string Command(string name) => $"/usr/bin/python3 {Script} {name} {LogOf(name)}";

        public string Delivery => $"action \"local\" maildir \"{Mail}/%{{user.username}}\"\nmatch from any for local action \"local\"\n";

        public List<string> Delivered() =>
            Directory.Exists(Path.Combine(Maildir, "new")) ? [.. Directory.GetFiles(Path.Combine(Maildir, "new")).Select(File.ReadAllText)] : [];

        public void Dispose() => Directory.Delete(Dir, true);
    }

    private static Daemon Start(Rig rig, string config) =>
        Daemon.Start(config, env: new Dictionary<string, string> { ["FILTER_RCPT"] = $"{Recipient.Name}@localhost" }).WaitReady();

    /// <summary>One transaction in a session that already said EHLO; the reply to the final dot.</summary>
    private static string Transaction(SmtpClientHelper c, string from, string rcpt, string body, Daemon? d = null)
    {
        Assert.StartsWith("250", c.Command($"MAIL FROM:<{from}>"), StringComparison.Ordinal);
        string reply = c.Command($"RCPT TO:<{rcpt}>");
        Assert.True(reply.StartsWith("250", StringComparison.Ordinal), reply + "\n" + d?.Log);
        Assert.StartsWith("354", c.Command("DATA"), StringComparison.Ordinal);
        return c.Command(body + ".");
    }

    private static void WaitReady(Rig rig, string filter) =>
        Wait.Until(() => rig.Lines(filter).Contains("config|ready", StringComparison.Ordinal), $"filter {filter} got its handshake");

    [EndToEndFact]
    public void AFilterProcessInProtocol07GetsReportsRefusesRewritesAndRewritesMessageLines()
    {
        using var rig = new Rig();
        string config = $"filter \"f07\" proc-exec \"{rig.Command("f07")}\"\n"
            + "listen on 127.0.0.1 port {PORT} filter \"f07\"\n"
            + rig.Delivery;
        using var d = Start(rig, config);
        WaitReady(rig, "f07");
        using (var c = new SmtpClientHelper(d.Port))
        {
            Assert.StartsWith("250", c.Command("EHLO client.example.net"), StringComparison.Ordinal);
            Assert.Equal("550 5.7.1 go away spammer", c.Command("MAIL FROM:<spammer@example.net>"));
            Assert.StartsWith("250", c.Command("MAIL FROM:<good@example.net>"), StringComparison.Ordinal);
            Assert.StartsWith("250", c.Command("RCPT TO:<rewrite-me@localhost>"), StringComparison.Ordinal);
            Assert.StartsWith("354", c.Command("DATA"), StringComparison.Ordinal);
            Assert.StartsWith("250", c.Command("Subject: hello\r\n\r\n..a line that starts with a dot\r\nbody\r\n."), StringComparison.Ordinal);
            Assert.StartsWith("221", c.Command("QUIT"), StringComparison.Ordinal);
        }

        // The message went to the rewritten recipient, with the filter's header and subject,
        // and the dot-stuffed line came back unstuffed.
        Wait.Until(() => rig.Delivered().Count == 1, "the filtered message is delivered");
        string message = rig.Delivered()[0];
        Assert.Contains("X-Filtered-By: f07\n", message, StringComparison.Ordinal);
        Assert.Contains("\nSubject: [f07] hello\n", message, StringComparison.Ordinal);
        Assert.Contains("\n.a line that starts with a dot\nbody\n", message, StringComparison.Ordinal);
        Assert.Contains($"Delivered-To: {Recipient.Name}@localhost", message, StringComparison.Ordinal);

        // What the filter saw: the 0.7 handshake, requests and reports in 0.7 layout.
        Wait.Until(() => rig.Lines("f07").Contains("|link-disconnect|", StringComparison.Ordinal), "the session's end is reported");
        string lines = rig.Lines("f07");
        Assert.StartsWith("config|smtpd-version|7.8.0\nconfig|protocol|0.7\nconfig|smtp-session-timeout|300\nconfig|subsystem|smtp-in\nconfig|admd|", lines, StringComparison.Ordinal);
        Assert.Matches(@"report\|0\.7\|\d+\.\d{6}\|smtp-in\|link-connect\|[0-9a-f]{16}\|[^|]+\|(pass|fail|error)\|127\.0\.0\.1:\d+\|127\.0\.0\.1:" + d.Port + "\n", lines);
        Assert.Matches(@"filter\|0\.7\|\d+\.\d{6}\|smtp-in\|mail-from\|[0-9a-f]{16}\|[0-9a-f]{16}\|spammer@example\.net\n", lines);
        Assert.Matches(@"\|filter-response\|[0-9a-f]{16}\|mail-from\|reject\|550 5\.7\.1 go away spammer\n", lines);
        Assert.Matches(@"\|tx-mail\|[0-9a-f]{16}\|[0-9a-f]{8}\|ok\|good@example\.net\n", lines);
        Assert.Matches(@"\|filter-response\|[0-9a-f]{16}\|rcpt-to\|rewrite\|<" + Recipient.Name + "@localhost>\n", lines);
        Assert.Matches(@"\|tx-envelope\|[0-9a-f]{16}\|[0-9a-f]{8}\|[0-9a-f]{16}\n", lines);
        Assert.Matches(@"\|data-line\|[0-9a-f]{16}\|[0-9a-f]{16}\|\.\.a line that starts with a dot\n", lines);
        Assert.Matches(@"\|data-line\|[0-9a-f]{16}\|[0-9a-f]{16}\|\.\n", lines);
        Assert.Matches(@"\|tx-commit\|[0-9a-f]{16}\|[0-9a-f]{8}\|\d+\n", lines);
        Assert.Matches(@"\|protocol-client\|[0-9a-f]{16}\|QUIT\n", lines);
        Assert.Matches(@"\|link-disconnect\|[0-9a-f]{16}\n", lines);
    }

    [EndToEndFact]
    public void AFilterProcessInProtocol06GetsThe68HandshakeAndVersionAndOnlyItsListenerIsFiltered()
    {
        using var rig = new Rig();
        int plain = Daemon.FreePort();
        string config = $"filter \"f06\" proc-exec \"{rig.Command("f06")}\" protocol \"0.6\"\n"
            + "listen on 127.0.0.1 port {PORT} filter \"f06\"\n"
            + $"listen on 127.0.0.1 port {plain}\n"
            + rig.Delivery;
        using var d = Start(rig, config);
        WaitReady(rig, "f06");
        using (var c = new SmtpClientHelper(d.Port))
        {
            Assert.StartsWith("250", c.Command("EHLO client.example.net"), StringComparison.Ordinal);
            Assert.Equal("550 5.7.1 go away spammer", c.Command("MAIL FROM:<spammer@example.net>"));
            Assert.StartsWith("250", Transaction(c, "good@example.net", $"{Recipient.Name}@localhost", "Subject: old\r\n\r\nbody\r\n"), StringComparison.Ordinal);
        }

        // The other listener has no filter: the same sender is welcome there.
        using (var c = new SmtpClientHelper(plain))
        {
            Assert.StartsWith("250", c.Command("EHLO client.example.net"), StringComparison.Ordinal);
            Assert.StartsWith("250", c.Command("MAIL FROM:<spammer@example.net>"), StringComparison.Ordinal);
        }

        Wait.Until(() => rig.Delivered().Count == 1, "the filtered message is delivered");
        Assert.Contains("\nSubject: [f06] old\n", rig.Delivered()[0], StringComparison.Ordinal);
        string lines = rig.Lines("f06");
        Assert.StartsWith("config|smtpd-version|7.8.0\nconfig|smtp-session-timeout|300\nconfig|subsystem|smtp-in\nconfig|ready\n", lines, StringComparison.Ordinal);
        Assert.DoesNotContain("config|protocol", lines, StringComparison.Ordinal);
        Assert.Matches(@"filter\|0\.6\|\d+\.\d{6}\|smtp-in\|mail-from\|", lines);
        Assert.Matches(@"report\|0\.6\|\d+\.\d{6}\|smtp-in\|link-connect\|", lines);
        Assert.DoesNotContain("|0.7|", lines, StringComparison.Ordinal);
        // One session on the filtered listener was reported; the other listener's never was.
        Assert.Single(lines.Split('\n'), l => l.Contains("|link-connect|", StringComparison.Ordinal));
    }

    [EndToEndFact]
    public void AChainPassesMessageLinesThroughEachFilterProcessInOrderAndStopsAtTheFirstRefusal()
    {
        using var rig = new Rig();
        string config = $"filter \"one\" proc-exec \"{rig.Command("one")}\"\n"
            + $"proc \"p2\" \"{rig.Command("two")}\"\n"
            + "filter \"two\" proc \"p2\"\n"
            + "filter \"both\" chain { \"one\", \"two\" }\n"
            + "listen on 127.0.0.1 port {PORT} filter \"both\"\n"
            + rig.Delivery;
        using var d = Start(rig, config);
        WaitReady(rig, "one");
        WaitReady(rig, "two");
        using (var c = new SmtpClientHelper(d.Port))
        {
            Assert.StartsWith("250", c.Command("EHLO client.example.net"), StringComparison.Ordinal);
            Assert.Equal("550 5.7.1 go away spammer", c.Command("MAIL FROM:<spammer@example.net>"));
            Assert.StartsWith("250", Transaction(c, "good@example.net", $"{Recipient.Name}@localhost", "Subject: chained\r\n\r\nbody\r\n"), StringComparison.Ordinal);
        }

        Wait.Until(() => rig.Delivered().Count == 1, "the message is delivered");
        string message = rig.Delivered()[0];
        Assert.Contains("X-Filtered-By: two\nX-Filtered-By: one\n", message, StringComparison.Ordinal);
        Assert.Contains("\nSubject: [two] [one] chained\n", message, StringComparison.Ordinal);

        // The first filter refused the spammer: the second never saw that MAIL FROM.
        Assert.Contains("spammer@example.net", rig.Lines("one"), StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\|mail-from\|[0-9a-f]{16}\|[0-9a-f]{16}\|spammer@example\.net", rig.Lines("two"));
        Assert.Matches(@"\|mail-from\|[0-9a-f]{16}\|[0-9a-f]{16}\|good@example\.net", rig.Lines("two"));
    }

    [EndToEndFact]
    public void BuiltinFiltersActInEachPhaseWithTheirConfiguredReplies()
    {
        using var rig = new Rig();
        string rcpt = $"{Recipient.Name}@localhost";
        string config = "filter \"src\" phase connect match src { 127.0.0.2 } disconnect \"554 5.7.1 not from there\"\n"
            + "filter \"helo\" phase helo match helo { \"bad.example\" } reject \"550 5.7.1 bad helo\"\n"
            + "filter \"ehlo\" phase ehlo match helo regex { \"^evil\" } disconnect \"421 4.7.1 evil ehlo\"\n"
            + "filter \"vip\" phase mail-from match mail-from { \"vip@example.net\" } bypass\n"
            + "filter \"notvip\" phase mail-from match !mail-from regex { \"@example[.]net$\" } reject \"550 5.7.1 only example.net\"\n"
            + "filter \"rcpt\" phase rcpt-to match rcpt-to regex { \"^nobody@\" } reject \"550 5.1.1 no such person\"\n"
            + $"filter \"alias\" phase rcpt-to match rcpt-to {{ \"alias@localhost\" }} rewrite \"<{rcpt}>\"\n"
            + "filter \"junk\" phase data match mail-from { \"junk@example.net\" } junk\n"
            + "filter \"late\" phase commit match mail-from { \"late@example.net\" } reject \"550 5.7.1 refused at the end\"\n"
            + "filter \"all\" chain { \"src\", \"helo\", \"ehlo\", \"vip\", \"notvip\", \"rcpt\", \"alias\", \"junk\", \"late\" }\n"
            + "listen on 127.0.0.1 port {PORT} filter \"all\"\n"
            + rig.Delivery;
        using var d = Start(rig, config);

        // connect: the client's address.
        using (var tcp = new TcpClient(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0)))
        {
            tcp.Connect("127.0.0.1", d.Port);
            using var reader = new StreamReader(tcp.GetStream());
            Assert.Equal("554 5.7.1 not from there", reader.ReadLine());
            Assert.Null(reader.ReadLine());
        }

        // helo and ehlo: the name, by table and by regex.
        using (var c = new SmtpClientHelper(d.Port))
        {
            Assert.Equal("550 5.7.1 bad helo", c.Command("HELO bad.example"));
            Assert.StartsWith("250", c.Command("HELO good.example"), StringComparison.Ordinal);
        }

        using (var c = new SmtpClientHelper(d.Port))
        {
            Assert.Equal("421 4.7.1 evil ehlo", c.Command("EHLO evil.example"));
            Assert.Throws<IOException>(() => c.Command("NOOP"));
        }

        using (var c = new SmtpClientHelper(d.Port))
        {
            Assert.StartsWith("250", c.Command("EHLO client.example.net"), StringComparison.Ordinal);

            // mail-from: a negated regex refuses; bypass ends the chain before it.
            Assert.Equal("550 5.7.1 only example.net", c.Command("MAIL FROM:<someone@example.org>"));
            Assert.StartsWith("250", c.Command("MAIL FROM:<vip@example.net>"), StringComparison.Ordinal);

            // rcpt-to: refused by regex, rewritten by table.
            Assert.Equal("550 5.1.1 no such person", c.Command("RCPT TO:<nobody@localhost>"));
            Assert.StartsWith("250", c.Command("RCPT TO:<alias@localhost>"), StringComparison.Ordinal);
            Assert.StartsWith("354", c.Command("DATA"), StringComparison.Ordinal);
            Assert.StartsWith("250", c.Command("Subject: vip\r\n\r\nhello\r\n."), StringComparison.Ordinal);

            // data: junk marks the message; commit: refused after the data.
            Assert.StartsWith("250", Transaction(c, "junk@example.net", rcpt, "Subject: junk\r\n\r\nbuy\r\n"), StringComparison.Ordinal);
            Assert.StartsWith("250", c.Command("MAIL FROM:<late@example.net>"), StringComparison.Ordinal);
            Assert.StartsWith("250", c.Command($"RCPT TO:<{rcpt}>"), StringComparison.Ordinal);
            Assert.StartsWith("354", c.Command("DATA"), StringComparison.Ordinal);
            Assert.Equal("550 5.7.1 refused at the end", c.Command("Subject: late\r\n\r\nhello\r\n."));

            // The session goes on after a refused message.
            Assert.StartsWith("250", c.Command("NOOP"), StringComparison.Ordinal);
        }

        Wait.Until(() => rig.Delivered().Count == 2, "the two accepted messages are delivered");
        Thread.Sleep(500);
        var messages = rig.Delivered();
        Assert.Equal(2, messages.Count);
        string vip = Assert.Single(messages, m => m.Contains("Subject: vip", StringComparison.Ordinal));
        Assert.Contains($"Delivered-To: {rcpt}", vip, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Spam", vip, StringComparison.Ordinal);
        string junk = Assert.Single(messages, m => m.Contains("Subject: junk", StringComparison.Ordinal));
        Assert.Contains("\nX-Spam: Yes\nReceived: ", junk, StringComparison.Ordinal);
        Assert.Contains("smtp failed-command command=\"MAIL FROM:<someone@example.org>\" result=\"550 5.7.1 only example.net\"", d.Log, StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void AFilterKilledWhileASessionWaitsCostsThatSessionA451AndIsRestartedWithALogLine()
    {
        using var rig = new Rig();
        string config = $"filter \"k\" proc-exec \"{rig.Command("k")}\"\n"
            + "listen on 127.0.0.1 port {PORT} filter \"k\"\n"
            + rig.Delivery;
        using var d = Start(rig, config);
        WaitReady(rig, "k");
        string rcpt = $"{Recipient.Name}@localhost";
        using var c = new SmtpClientHelper(d.Port);

        // A message accepted before the filter dies is delivered.
        Assert.StartsWith("250", c.SendMail("before@example.net", [rcpt], "Subject: before\r\n\r\nbody\r\n"), StringComparison.Ordinal);

        // The filter sits on this request; killed meanwhile, the session gets a temporary failure.
        int pid = rig.PidOf("k");
        c.Send("MAIL FROM:<hang@example.net>\r\n");
        Wait.Until(() => rig.Lines("k").Contains("|mail-from|", StringComparison.Ordinal) && rig.Lines("k").Contains("hang@example.net", StringComparison.Ordinal), "the filter has the request");
        Posix.Kill(pid, Libc.SIGKILL);
        Assert.StartsWith("451 4.3.0 ", c.ReadReply(), StringComparison.Ordinal);

        // The daemon restarted the filter and says so; the same session goes on through it.
        Wait.Until(() => d.Log.Contains("warn: filter \"k\" (pid " + pid + ")", StringComparison.Ordinal) && d.Log.Contains("restarting it in 1 s", StringComparison.Ordinal), "the restart is logged");
        Wait.Until(() => File.Exists(rig.LogOf("k") + ".pid") && rig.PidOf("k") != pid, "a new filter process runs");
        Assert.StartsWith("250", Transaction(c, "after@example.net", rcpt, "Subject: after\r\n\r\nbody\r\n", d), StringComparison.Ordinal);
        Assert.False(d.HasExited());
        Wait.Until(() => rig.Delivered().Count == 2, "both accepted messages are delivered");
    }

    [EndToEndFact]
    public void AHangingFilterMissesItsDeadlineAndTheSessionGetsA451WhileOtherRequestsGoOn()
    {
        using var rig = new Rig();
        string config = $"filter \"h\" proc-exec \"{rig.Command("h")}\" timeout 2s\n"
            + "listen on 127.0.0.1 port {PORT} filter \"h\"\n"
            + rig.Delivery;
        using var d = Start(rig, config);
        WaitReady(rig, "h");
        using var c = new SmtpClientHelper(d.Port);
        Assert.StartsWith("250", c.Command("EHLO client.example.net"), StringComparison.Ordinal);
        var started = DateTime.UtcNow;
        Assert.StartsWith("451 4.3.0 ", c.Command("MAIL FROM:<hang@example.net>"), StringComparison.Ordinal);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(15));
        Assert.Contains("warn: filter \"h\": no answer to mail-from of session", d.Log, StringComparison.Ordinal);
        Assert.StartsWith("250", c.Command("MAIL FROM:<fine@example.net>"), StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void AFilterSpeakingGarbageIsCutOffWithALogLineAndRestarted()
    {
        using var rig = new Rig();
        string config = $"filter \"g\" proc-exec \"{rig.Command("g")}\"\n"
            + "listen on 127.0.0.1 port {PORT} filter \"g\"\n"
            + rig.Delivery;
        using var d = Start(rig, config);
        WaitReady(rig, "g");
        int pid = rig.PidOf("g");
        using var c = new SmtpClientHelper(d.Port);
        Assert.StartsWith("250", c.Command("EHLO client.example.net"), StringComparison.Ordinal);
        Assert.StartsWith("451 4.3.0 ", c.Command("MAIL FROM:<garbage@example.net>"), StringComparison.Ordinal);
        Assert.Contains("warn: filter \"g\": protocol violation: invalid filter message type: this is not the protocol; restarting it", d.Log, StringComparison.Ordinal);
        Wait.Until(() => rig.PidOf("g") != pid, "a new filter process runs");
        Assert.StartsWith("250", c.Command("MAIL FROM:<fine@example.net>"), StringComparison.Ordinal);
        Assert.False(d.HasExited());
    }
}
