// Without -d the daemon logs through syslog(3), facility mail, ident "smtpd" with the pid, in
// OpenSMTPD's wording. The test plays syslogd: it owns the /dev/log datagram socket.
using System.Net.Sockets;
using System.Text;
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class SyslogTests
{
    [EndToEndFact(needsRoot: true)]
    public void ForegroundWithoutDashDLogsToSyslogWithFacilityMail()
    {
        UnderSyslog(Daemon.MinimalConfigOn(), (pid, snapshot, _) =>
        {
            Wait.Until(() => snapshot().Any(l => l.Contains("info: smtpd 0.1.0 starting", StringComparison.Ordinal)), "the start line reaches syslog");
            // Each role names itself once it runs; until then its command line is smtpd -x ROLE.
            Wait.Until(() => ProcInfo.ChildrenOf(pid).Count(p => p.CmdLine.StartsWith("smtpd: ", StringComparison.Ordinal)) == 6, "every role runs");
            Posix.Kill(ProcInfo.ChildrenOf(pid).Single(p => p.CmdLine == "smtpd: queue").Pid, Libc.SIGKILL);
            Wait.Until(() => snapshot().Any(l => l.EndsWith("Exiting", StringComparison.Ordinal)), "the exit line reaches syslog");

            var all = snapshot();
            // <22> = facility mail (2) * 8 + info (6); <19> = mail + err (3).
            Assert.Matches(@"^<22>\w{3} [ \d]\d \d\d:\d\d:\d\d smtpd\[" + pid + @"\]: info: smtpd 0\.1\.0 starting$", all.First(l => l.Contains("starting", StringComparison.Ordinal)));
            Assert.Matches(@"^<19>.* smtpd\[" + pid + @"\]: warn: lost processor: queue terminated; signal 9$", all.Single(l => l.Contains("lost processor", StringComparison.Ordinal)));
        });
    }

    [EndToEndFact(needsRoot: true)]
    public void WhatIsNotSupportedYetIsLoggedAtStartWithFileAndLine()
    {
        string config = Daemon.MinimalConfigOn() + "admd \"mx.example\"\n";
        UnderSyslog(config, (pid, snapshot, conf) =>
        {
            Wait.Until(() => ProcInfo.ChildrenOf(pid).Count == 6 && snapshot().Any(l => l.Contains("not supported yet", StringComparison.Ordinal)), "every role runs and the warning reached syslog");
            var all = snapshot();
            string warning = Assert.Single(all, l => l.Contains("not supported yet", StringComparison.Ordinal));
            Assert.Matches(@"^<19>.* smtpd\[" + pid + @"\]: warn: " + System.Text.RegularExpressions.Regex.Escape(conf) + @":4: admd: not supported yet$", warning);
        });
    }

    /// <summary>Runs smtpd -F on <paramref name="config"/> with a socket of ours as /dev/log, for
    /// <paramref name="body"/>(daemon pid, snapshot of the lines received, configuration path).</summary>
    private static void UnderSyslog(string config, Action<int, Func<string[]>, string> body)
    {
        Binary.EnsureSystemUsers();
        string dir = Directory.CreateTempSubdirectory("smtpd-syslog").FullName;
        string sockPath = Path.Combine(dir, "log");
        using var syslog = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        syslog.Bind(new UnixDomainSocketEndPoint(sockPath));
        File.SetUnixFileMode(sockPath, (UnixFileMode)0b110_110_110);
        var lines = new List<string>();
        var reader = new Thread(() =>
        {
            var buf = new byte[8192];
            try
            {
                while (true)
                {
                    int n = syslog.Receive(buf);
                    lock (lines)
                    {
                        lines.Add(Encoding.UTF8.GetString(buf, 0, n));
                    }
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }) { IsBackground = true };
        reader.Start();

        // Our socket stands in for /dev/log in a private mount namespace (or takes /dev/log's
        // place when the machine runs no syslog daemon at all).
        string conf = Path.Combine(dir, "smtpd.conf");
        File.WriteAllText(conf, config);
        string args = $"-F -f {conf} --queue-dir {dir}/spool --socket {dir}/smtpd.sock --empty-dir {dir}";
        string script = File.Exists("/dev/log") ? $"mount --bind {sockPath} /dev/log && exec {Binary.Require()} {args}"
            : $"ln -s {sockPath} /dev/log; exec {Binary.Require()} {args}";
        int pid = Posix.Spawn("/usr/bin/unshare", ["unshare", "-m", "--propagation", "private", "sh", "-c", script], [], []);
        try
        {
            string[] Snapshot()
            {
                lock (lines)
                {
                    return [.. lines];
                }
            }

            body(pid, Snapshot, conf);
        }
        finally
        {
            Posix.Kill(pid, Libc.SIGKILL);
            Posix.WaitPid(pid);
            if (new FileInfo("/dev/log").LinkTarget == sockPath)
            {
                File.Delete("/dev/log");
            }

            Directory.Delete(dir, true);
        }
    }
}
