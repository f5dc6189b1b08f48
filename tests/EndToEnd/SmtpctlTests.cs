// smtpctl against a running daemon: status, verbosity, abbreviations, who may ask, pausing and
// resuming, the envelope commands on a held message, stats and monitor, trace and profile, stop
// and reload. Outputs are OpenSMTPD 7.8's, byte for byte.
using System.Text.RegularExpressions;
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class SmtpctlTests
{
    public SmtpctlTests()
    {
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
        }
    }

    [EndToEndFact]
    public void ShowStatusAndLogCommandsWorkAlsoAbbreviated()
    {
        using var d = Daemon.Start().WaitReady();
        Assert.Equal((0, "MDA running\nMTA running\nSMTP running\n"), (d.Ctl("show", "status").Code, d.Ctl("show", "status").Out));
        Assert.Equal("MDA running\nMTA running\nSMTP running\n", d.Ctl("sh", "statu").Out);

        // As OpenSMTPD's parser: "st" could be stats or status, and a prefix must be unique.
        Assert.Equal((255, string.Empty, "possibilities are:\nshow mta\nshow envelope\nshow hoststats\nshow message\nshow queue\nshow hosts\nshow relays\nshow routes\nshow stats\nshow status\n"), d.Ctl("sh", "st"));
        Assert.Equal((0, "command succeeded\n"), (d.Ctl("log", "verbose").Code, d.Ctl("log", "verbose").Out));
        Assert.Equal("command succeeded\n", d.Ctl("log", "brief").Out);
        Assert.False(d.HasExited());
    }

    [EndToEndFact(needsRoot: true)]
    public void AnOrdinaryUserIsToldThatSmtpctlNeedsRoot()
    {
        using var d = Daemon.Start().WaitReady();
        string ctl = Binary.LinkAs(d.Dir, "smtpctl");
        var r = Binary.Run("setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", ctl, "show", "status"], new Dictionary<string, string> { ["SMTPD_SOCKET"] = d.Socket });
        Assert.Equal((1, "smtpctl: need root privileges\n"), (r.Code, r.Err));
    }

    [EndToEndFact]
    public void GarbageOrAWrongProtocolVersionOnTheControlSocketIsRefusedAndTheDaemonGoesOn()
    {
        using var d = Daemon.Start().WaitReady();
        using (var junk = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified))
        {
            junk.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(d.Socket));
            junk.Send(System.Text.Encoding.ASCII.GetBytes("GET / HTTP/1.0\r\n\r\n" + new string('x', 100)));
            Assert.Equal(0, junk.Receive(new byte[16]));
        }

        using (var old = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified))
        {
            old.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(d.Socket));
            var frame = new byte[Smtpd.Ipc.ImsgHeader.Size];
            new Smtpd.Ipc.ImsgHeader(Smtpd.Ipc.ImsgType.CtlShowStatus, frame.Length, false, 999, 0).Write(frame);
            old.Send(frame);
            Assert.Equal(0, old.Receive(new byte[16]));
        }

        Wait.Until(() => d.Log.Contains("warn: control_dispatch_ext: imsg version mismatch", StringComparison.Ordinal), "the mismatch is logged");
        Assert.Equal("MDA running\nMTA running\nSMTP running\n", d.Ctl("show", "status").Out);
        Assert.False(d.HasExited());
    }

    [EndToEndFact]
    public void LogVerboseReachesEveryRoleAsTheImsgTraceShows()
    {
        using var d = Daemon.Start(extraArgs: ["-T", "imsg"]).WaitReady();
        Assert.Equal("command succeeded\n", d.Ctl("log", "verbose").Out);
        foreach (string role in new[] { "parent", "lka", "queue", "scheduler", "dispatcher", "ca" })
        {
            Wait.Until(() => d.Log.Contains($"imsg: {role} <- control: IMSG_CTL_VERBOSE (len=4)", StringComparison.Ordinal), role + " traces the verbosity change");
        }
    }

    private static string Me => Posix.GetPwUid(Posix.GetEUid())!.Name;

    /// <summary>A daemon with local delivery paused and one message for us held in its queue: (daemon, evpid).</summary>
    private static (Daemon D, string EvpId) HeldMessage()
    {
        var d = Daemon.Start().WaitReady();
        Assert.Equal((0, "command succeeded\n", string.Empty), d.Ctl("pause", "mda"));
        using (var c = new SmtpClientHelper(d.Port))
        {
            Assert.StartsWith("250 ", c.SendMail("sender@example.org", [Me + "@localhost"], "Subject: held\n\nwaiting for the admin\n"), StringComparison.Ordinal);
            c.Command("QUIT");
        }

        string line = "";
        Wait.Until(() => (line = d.Ctl("show", "queue").Out).Length > 0, "the envelope is listed");
        return (d, line[..16]);
    }

    [EndToEndFact]
    public void ParseErrorsListThePossibilitiesAndExit255()
    {
        using var d = Daemon.Start().WaitReady();
        var r = d.Ctl("show", "queue", "xyz");
        Assert.Equal((255, string.Empty, "possibilities are:\nshow queue <msgid>\n"), r);
        Assert.Equal((255, string.Empty, "invalid command\n"), d.Ctl("log", "brief", "now"));
        var root = d.Ctl("frobnicate");
        Assert.Equal(255, root.Code);
        Assert.StartsWith("possibilities are:\ndiscover\npause\nresume\nshow\nlog\nmonitor\nprofile\nremove\nschedule\ntrace\nunprofile\nuntrace\nupdate\nencrypt\nspf\n", root.Err, StringComparison.Ordinal);
        Assert.Equal((1, string.Empty, "smtpctl: invalid trace keyword: everything\n"), d.Ctl("trace", "everything"));
        Assert.Equal((1, string.Empty, "smtpctl: invalid profile keyword: cpu\n"), d.Ctl("profile", "cpu"));
    }

    [EndToEndFact]
    public void PauseAndResumeShowInTheStatusAndSmtpWaitsUntilResumed()
    {
        using var d = Daemon.Start().WaitReady();
        foreach (string s in new[] { "smtp", "mta", "mda" })
        {
            Assert.Equal((0, "command succeeded\n", string.Empty), d.Ctl("pause", s));
        }

        Assert.Equal("MDA paused\nMTA paused\nSMTP paused\n", d.Ctl("show", "status").Out);
        Assert.Equal((1, "command failed\n"), (d.Ctl("pause", "smtp").Code, d.Ctl("pause", "smtp").Out));
        Assert.Contains("info: smtp paused", d.Log, StringComparison.Ordinal);

        // Paused: a client is not greeted; resumed, it is.
        using var tcp = new System.Net.Sockets.TcpClient();
        tcp.Connect("127.0.0.1", d.Port);
        var stream = tcp.GetStream();
        stream.ReadTimeout = 1500;
        var buf = new byte[512];
        Assert.ThrowsAny<IOException>(() => stream.Read(buf));
        Assert.Equal("command succeeded\n", d.Ctl("resume", "smtp").Out);
        stream.ReadTimeout = 10_000;
        Assert.StartsWith("220 ", System.Text.Encoding.ASCII.GetString(buf, 0, stream.Read(buf)), StringComparison.Ordinal);

        Assert.Equal("command succeeded\n", d.Ctl("resume", "mta").Out);
        Assert.Equal("command succeeded\n", d.Ctl("resume", "mda").Out);
        Assert.Equal((1, "command failed\n"), (d.Ctl("resume", "mda").Code, d.Ctl("resume", "mda").Out));
        Assert.Equal("MDA running\nMTA running\nSMTP running\n", d.Ctl("show", "status").Out);
    }

    [EndToEndFact]
    public void SmtpdDashPPausesASubsystemFromTheStart()
    {
        using var d = Daemon.Start(extraArgs: ["-P", "smtp", "-P", "mda"]);
        Wait.Until(() => File.Exists(d.Socket) && d.Ctl("show", "status").Code == 0, "the control socket answers");
        Assert.Equal("MDA paused\nMTA running\nSMTP paused\n", d.Ctl("show", "status").Out);

        // Resumed, SMTP takes mail; local delivery stays paused, so the message waits in the queue.
        Assert.Equal("command succeeded\n", d.Ctl("resume", "smtp").Out);
        using (var c = new SmtpClientHelper(d.Port))
        {
            Assert.StartsWith("250 ", c.SendMail("sender@example.org", [Me + "@localhost"], "Subject: p\n\nheld\n"), StringComparison.Ordinal);
        }

        Wait.Until(() => d.Ctl("show", "queue").Out.Length > 0, "the message is queued");
        Thread.Sleep(1000);
        Assert.Contains("|pending|", d.Ctl("show", "queue").Out, StringComparison.Ordinal);
        Assert.DoesNotContain("mda delivery", d.Log, StringComparison.Ordinal);
        Assert.Equal("1 envelope removed\n", d.Ctl("remove", "all").Out);
    }

    [EndToEndFact]
    public void EnvelopeCommandsOnAHeldMessage()
    {
        var (d, evpid) = HeldMessage();
        using (d)
        {
            string msgid = evpid[..8];
            string line = d.Ctl("show", "queue").Out;
            Assert.Matches($@"^{evpid}\|inet4\|mda\|\|sender@example\.org\|{Regex.Escape(Me)}@localhost\|{Regex.Escape(Me)}@localhost\|\d+\|\d+\|0\|0\|pending\|-?\d+\|\n$", line);
            // The last field counts seconds to the next try from now: two listings a second apart differ there.
            static string WithoutCountdown(string l) => Regex.Replace(l, @"\|-?\d+\|\n$", "|\n");
            Assert.Equal(WithoutCountdown(line), WithoutCountdown(d.Ctl("sh", "q", msgid).Out));
            Assert.Equal(string.Empty, d.Ctl("show", "queue", "0000abcd").Out);

            // show envelope and show message print the spool's files.
            var env = d.Ctl("show", "envelope", evpid);
            Assert.Equal(0, env.Code);
            Assert.Contains("\nrcpt: " + Me + "@localhost\n", "\n" + env.Out, StringComparison.Ordinal);
            var message = d.Ctl("show", "message", msgid);
            Assert.Contains("Subject: held", message.Out, StringComparison.Ordinal);
            Assert.Equal(message.Out, d.Ctl("show", "message", evpid).Out);
            Assert.Equal((1, "smtpctl: fopen: No such file or directory\n"), (d.Ctl("show", "envelope", "00000001deadbeef").Code, d.Ctl("show", "envelope", "00000001deadbeef").Err));

            Assert.Equal("1 envelope paused\n", d.Ctl("pause", "envelope", evpid).Out);
            Assert.Equal("0 envelope paused\n", d.Ctl("pause", "envelope", "all").Out);
            Assert.Contains("|mda|suspend|", d.Ctl("show", "queue").Out, StringComparison.Ordinal);
            Assert.Equal("0 envelope scheduled\n", d.Ctl("schedule", "all").Out);
            Assert.Equal("1 envelope resumed\n", d.Ctl("resume", "envelope", msgid).Out);
            Assert.Equal("1 envelope scheduled\n", d.Ctl("schedule", evpid).Out);
            Assert.Equal("1 envelope discovered\n", d.Ctl("discover", evpid).Out);
            Assert.Equal("1 envelope discovered\n", d.Ctl("discover", msgid).Out);
            Assert.Equal("0 envelopes discovered\n", d.Ctl("discover", "0000abcd").Out);
            Assert.Single(d.Ctl("show", "queue").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));

            Assert.Equal("1 envelope removed\n", d.Ctl("remove", msgid).Out);
            Assert.Equal("0 envelope removed\n", d.Ctl("remove", "all").Out);
            Assert.Equal(string.Empty, d.Ctl("show", "queue").Out);
            Wait.Until(() => d.Log.Contains($"delivery: Remove for {evpid}: from=<sender@example.org>, to=<{Me}@localhost>, rcpt=<->, delay=", StringComparison.Ordinal), "the removal is logged");
            Assert.Contains("stat=Removed by administrator", d.Log, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFiles(Path.Combine(d.Spool, "queue"), "*", SearchOption.AllDirectories));
        }
    }

    [EndToEndFact]
    public void ShowStatsCountsSessionsAndEnvelopes()
    {
        var (d, _) = HeldMessage();
        using (d)
        {
            var r = d.Ctl("show", "stats");
            Assert.Equal(0, r.Code);
            string[] lines = r.Out.TrimEnd('\n').Split('\n');
            Assert.All(lines, l => Assert.Matches(@"^[a-z0-9.]+=\S+$", l));
            Assert.Equal([.. lines.Select(l => l[..l.IndexOf('=')]).Where(k => k != "uptime.human").Order(StringComparer.Ordinal)], lines.Select(l => l[..l.IndexOf('=')]).Where(k => k != "uptime.human"));
            Assert.Contains(lines, l => l is "control.session=1" or "control.session=2");
            Assert.Contains("scheduler.envelope=1", lines);
            Assert.Contains("smtp.session.inet4=1", lines);
            Wait.Until(() => d.Ctl("show", "stats").Out.Contains("\nsmtp.session=0\n", StringComparison.Ordinal), "the session's end is counted");
            Assert.Matches(@"\nuptime=\d+\nuptime\.human=(\d+[dhms])+\n$", r.Out);

            Assert.Equal("1 envelope removed\n", d.Ctl("remove", "all").Out);
            Wait.Until(() => d.Ctl("show", "stats").Out.Contains("\nscheduler.envelope.removed=1\n", StringComparison.Ordinal), "the removal is counted");
            Assert.Contains("\nscheduler.envelope=0\n", d.Ctl("show", "stats").Out, StringComparison.Ordinal);
        }
    }

    [EndToEndFact]
    public void MonitorPrintsOpenSmtpdsTableOfChangesEverySecond()
    {
        using var d = Daemon.Start().WaitReady();
        string ctl = Binary.LinkAs(d.Dir, "smtpctl");
        var env = new Dictionary<string, string> { ["SMTPD_SOCKET"] = d.Socket };
        var first = Binary.Run("timeout", ["2.5", ctl, "monitor"], env);
        Assert.Equal(124, first.Code);
        string[] lines = first.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("--- client ---  -- envelope --   ---- relay/delivery --- ------- misc -------", lines[0]);
        Assert.Equal("curr conn disc  curr  enq  deq   ok tmpfail prmfail loop expire remove bounce", lines[1]);
        Assert.InRange(lines.Length, 4, 5);
        Assert.All(lines[2..], l => Assert.Equal("   0    0    0     0    0    0    0       0       0    0      0      0      0", l));

        // A session during the run shows up as one connection and one disconnection.
        var run = Task.Run(() => Binary.Run("timeout", ["3.5", ctl, "monitor"], env));
        Thread.Sleep(1200);
        using (var c = new SmtpClientHelper(d.Port))
        {
            c.Command("QUIT");
        }

        var rows = run.Result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(2)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray()).ToList();
        Assert.All(rows, r => Assert.Equal(13, r.Length));
        Assert.Equal((1, 1), (rows.Sum(r => r[1]), rows.Sum(r => r[2])));
        Assert.Equal(0, rows[^1][0]);
    }

    [EndToEndFact]
    public void TraceAndProfileAreAcceptedAndTraceReachesTheRoles()
    {
        using var d = Daemon.Start().WaitReady();
        Assert.Equal((0, "command succeeded\n", string.Empty), d.Ctl("trace", "imsg"));
        Assert.Equal(0, d.Ctl("show", "queue").Code);
        Wait.Until(() => d.Log.Contains("imsg: scheduler <- control: ", StringComparison.Ordinal), "the scheduler traces imsgs");
        Assert.Equal("command succeeded\n", d.Ctl("untrace", "all").Out);
        Assert.Equal("command succeeded\n", d.Ctl("profile", "imsg").Out);
        Assert.Equal("command succeeded\n", d.Ctl("unprofile", "imsg").Out);
        Assert.Contains("info: profiling disabled", d.Log, StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void StopEndsTheDaemonCleanly()
    {
        using var d = Daemon.Start().WaitReady();
        Assert.Equal((0, "command succeeded\n", string.Empty), d.Ctl("stop"));
        Assert.Equal(0, d.WaitExit());
        Assert.False(File.Exists(d.Socket));
        Assert.Equal((1, "smtpctl: smtpd doesn't seem to be running\n"), (d.Ctl("show", "status").Code, d.Ctl("show", "status").Err));
    }

    [EndToEndFact]
    public void ReloadTakesNewRulesAndRefusesBrokenFilesAndListenerChanges()
    {
        using var d = Daemon.Start().WaitReady();
        string conf = Path.Combine(d.Dir, "smtpd.conf");
        string original = File.ReadAllText(conf);
        using (var c = new SmtpClientHelper(d.Port))
        {
            Assert.StartsWith("250", c.Command("EHLO client.example.net"), StringComparison.Ordinal);
            Assert.StartsWith("250", c.Command("MAIL FROM:<a@example.org>"), StringComparison.Ordinal);
            Assert.StartsWith("5", c.Command("RCPT TO:<someone@reload.test>"), StringComparison.Ordinal);
        }

        // A broken file is refused with its file:line; the running configuration stays.
        File.WriteAllText(conf, original + "bogus line\n");
        var broken = d.Ctl("reload");
        Assert.Equal(1, broken.Code);
        Assert.StartsWith("command failed: configuration has errors, running configuration kept: " + conf + ":4: ", broken.Out, StringComparison.Ordinal);
        Assert.Contains($"warn: reload: {conf}:4: ", d.Log, StringComparison.Ordinal);

        // A listener change needs a restart: refused, named.
        File.WriteAllText(conf, original.Replace($"port {d.Port}", $"port {Daemon.FreePort()}", StringComparison.Ordinal));
        Assert.Equal((1, "command failed: listeners changed: restart smtpd to apply; running configuration kept\n"), (d.Ctl("reload").Code, d.Ctl("reload").Out));
        File.WriteAllText(conf, "queue ttl 2d\nsmtp max-message-size 10M\n" + original);
        Assert.Equal((1, "command failed: global settings (queue ttl, smtp max-message-size) changed: restart smtpd to apply; running configuration kept\n"), (d.Ctl("reload").Code, d.Ctl("reload").Out));

        // New rules apply to the next session; the one open across the reload is not dropped.
        using var open = new SmtpClientHelper(d.Port);
        Assert.StartsWith("250", open.Command("EHLO client.example.net"), StringComparison.Ordinal);
        File.WriteAllText(conf, "# moved down a line\nscheduler limit max-inflight 7\n" + original + "match from any for domain \"reload.test\" action \"local\"\n");
        Assert.Equal((0, "command succeeded\n"), (d.Ctl("reload").Code, d.Ctl("reload").Out));
        Wait.Until(() => d.Log.Contains("info: lookup: configuration reloaded", StringComparison.Ordinal), "the lookup agent took it");
        Wait.Until(() => d.Log.Contains("info: scheduler: configuration reloaded (max-inflight 7)", StringComparison.Ordinal), "the scheduler took its limit");
        Assert.StartsWith("250", open.Command("MAIL FROM:<a@example.org>"), StringComparison.Ordinal);
        Assert.StartsWith("250", open.Command("RCPT TO:<" + Me + "@reload.test>"), StringComparison.Ordinal);

        // SIGHUP does the same.
        File.WriteAllText(conf, original);
        d.Signal(Libc.SIGHUP);
        Wait.Until(() => Regex.Count(d.Log, "info: configuration reloaded") >= 2, "SIGHUP reloads:\n" + d.Log);
        Assert.False(d.HasExited());
    }

    // Root: the fake nameserver listens on port 53 (a resolv.conf names no port).
    [EndToEndFact(needsRoot: true)]
    public void SpfWalkPrintsTheNetworksOfTheDomainsOnStandardInput()
    {
        using var dns = Smtpd.Tests.Dns.FakeDnsServer.OnPort53();
        static byte[] Txt(string text) => [(byte)text.Length, .. System.Text.Encoding.ASCII.GetBytes(text)];
        dns.Zone[("example.test", 16)] = [(16, Txt("v=spf1 ip4:192.0.2.0/24 include:_spf.example.test a mx:mail.example.test/28 exists:%{i}.x.example.test -ip4:10.0.0.1 ~all"))];
        dns.Zone[("_spf.example.test", 16)] = [(16, Txt("v=spf1 ip6:2001:db8::/32 ip4:192.0.2.0/24 ?all"))];
        dns.Zone[("example.test", 1)] = [(1, [198, 51, 100, 7])];
        dns.Zone[("mail.example.test", 15)] = [(15, [0, 10, .. Smtpd.Tests.Dns.FakeDnsServer.Name("mx1.example.test")])];
        dns.Zone[("mx1.example.test", 1)] = [(1, [203, 0, 113, 9])];
        string dir = Directory.CreateTempSubdirectory("smtpd-spf-").FullName;
        try
        {
            string resolv = Path.Combine(dir, "resolv.conf");
            File.WriteAllText(resolv, $"nameserver {dns.EndPoint.Address}\noptions timeout:2 attempts:1\n");
            var r = Binary.Run(Binary.LinkAs(dir, "smtpctl"), ["spf", "walk"], new Dictionary<string, string> { ["SMTPD_RESOLV_CONF"] = resolv }, stdin: "example.test\n\n");
            Assert.Equal(0, r.Code);
            Assert.Equal("192.0.2.0/24\n2001:db8::/32\n198.51.100.7\n203.0.113.9/28\n", r.Out);
            Assert.Equal("smtpctl: lookup_record: %{i}.x.example.test contains macros and can't be resolved\n", r.Err);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [EndToEndFact(needsRoot: true)]
    public void AnOrdinaryUserMayWalkSpfButNotPauseAndParseErrorsComeFirst()
    {
        using var d = Daemon.Start().WaitReady();
        string ctl = Binary.LinkAs(d.Dir, "smtpctl");
        // Without libfaketime (the shifted run of make test): its clock lives in root's shared
        // memory, which nobody cannot open, and it says so on stderr at the first clock read.
        var env = new Dictionary<string, string> { ["SMTPD_SOCKET"] = d.Socket, ["LD_PRELOAD"] = string.Empty };
        (int, string, string) AsNobody(params string[] args) => Binary.Run("setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", ctl, .. args], env, stdin: string.Empty);
        Assert.Equal((1, string.Empty, "smtpctl: need root privileges\n"), AsNobody("pause", "smtp"));
        Assert.Equal((1, string.Empty, "smtpctl: need root privileges\n"), AsNobody("sh", "q"));
        Assert.Equal((255, string.Empty, "invalid command\n"), AsNobody("pause", "smtp", "now"));
        Assert.Equal((0, string.Empty, string.Empty), AsNobody("spf", "walk"));
        var mailq = Binary.Run("setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", Binary.LinkAs(d.Dir, "mailq")], env);
        Assert.Equal((1, string.Empty, "mailq: need root privileges\n"), mailq);
        Assert.Equal("MDA running\nMTA running\nSMTP running\n", d.Ctl("show", "status").Out);
    }

    [EndToEndFact]
    public void DiscoverSchedulesAMessageCopiedIntoTheSpool()
    {
        var (d, evpid) = HeldMessage();
        using (d)
        {
            // A copy of the held message under a new message id, as an administrator might restore one.
            string msgid = evpid[..8];
            string copyId = msgid == "7e57c0de" ? "7e57c0df" : "7e57c0de";
            string from = Path.Combine(d.Spool, "queue", msgid[..2], msgid);
            string bucket = Path.Combine(d.Spool, "queue", copyId[..2]);
            string to = Path.Combine(bucket, copyId);
            bool newBucket = !Directory.Exists(bucket);
            Directory.CreateDirectory(to);
            File.Copy(Path.Combine(from, "message"), Path.Combine(to, "message"));
            File.Copy(Path.Combine(from, evpid), Path.Combine(to, copyId + evpid[8..]));
            foreach (string p in (newBucket ? new[] { bucket } : []).Concat([to, Path.Combine(to, "message"), Path.Combine(to, copyId + evpid[8..])]))
            {
                Assert.Equal(0, Binary.Run("chown", ["--reference", from, p]).Code);
                Assert.Equal(0, Binary.Run("chmod", ["--reference", Directory.Exists(p) ? from : Path.Combine(from, "message"), p]).Code);
            }

            Assert.Single(d.Ctl("show", "queue").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal("1 envelope discovered\n", d.Ctl("discover", copyId).Out);
            Assert.Contains(copyId + evpid[8..] + "|inet4|mda||sender@example.org|", d.Ctl("show", "queue").Out, StringComparison.Ordinal);
            Assert.Equal("2 envelopes removed\n", d.Ctl("remove", "all").Out);
        }
    }
}
