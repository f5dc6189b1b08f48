// The daemon's process tree as an administrator sees it: roles in ps, privilege separation in
// /proc, clean stops, and no orphans whatever dies first.
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class ProcessTreeTests
{
    private static readonly string[] Titles =
        ["smtpd: crypto", "smtpd: control", "smtpd: lookup", "smtpd: dispatcher", "smtpd: queue", "smtpd: scheduler"];

    public ProcessTreeTests()
    {
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
        }
    }

    [EndToEndFact]
    public void EveryRoleRunsUnderItsTitleAndSigtermStopsThemAll()
    {
        using var d = Daemon.Start().WaitReady();
        var roles = d.Roles();
        Assert.Equal(Titles.Order(), roles.Select(r => r.CmdLine).Order());
        Assert.All(roles, r => Assert.StartsWith("smtpd: ", r.Comm, StringComparison.Ordinal));

        d.Signal(Libc.SIGTERM);
        Assert.Equal(0, d.WaitExit());
        Wait.Until(() => roles.All(r => !ProcInfo.Exists(r.Pid)), "every role has exited");
        Assert.Contains("info: smtpd 0.1.0 starting", d.Log, StringComparison.Ordinal);
        Assert.EndsWith("Exiting\n", d.Log, StringComparison.Ordinal);
        Assert.False(File.Exists(d.Socket), "control socket removed at exit");
    }

    [EndToEndFact]
    public void WithoutCertificatesOrQueueEncryptionNoProcessMapsOpenSslAndRolesKeepFewThreads()
    {
        // Idle memory: OpenSSL is loaded only by roles whose configuration needs it, and the IPC
        // layer runs on one poller thread per process rather than two threads per peer.
        using var d = Daemon.Start().WaitReady();
        foreach (var role in d.Roles())
        {
            string maps = File.ReadAllText($"/proc/{role.Pid}/maps");
            Assert.DoesNotContain("libcrypto", maps, StringComparison.Ordinal);
            int threads = Directory.GetDirectories($"/proc/{role.Pid}/task").Length;
            Assert.True(threads <= 8, $"{role.CmdLine} runs {threads} threads");
        }
    }

    [EndToEndFact]
    public void TheExecutableIsAPieLoadedAtItsOwnRandomAddressInEveryProcess()
    {
        // ELF header: e_type (offset 16) is ET_DYN, and a program header PT_INTERP names the
        // dynamic loader, which a plain shared library lacks: a position-independent executable.
        byte[] elf = File.ReadAllBytes(Binary.Require());
        Assert.Equal("\u007fELF", System.Text.Encoding.ASCII.GetString(elf, 0, 4));
        Assert.Equal(2, elf[4]); // ELFCLASS64
        Assert.Equal(3, BitConverter.ToUInt16(elf, 16)); // ET_DYN, not ET_EXEC
        long phoff = BitConverter.ToInt64(elf, 32);
        int phentsize = BitConverter.ToUInt16(elf, 54), phnum = BitConverter.ToUInt16(elf, 56);
        Assert.Contains(Enumerable.Range(0, phnum), i => BitConverter.ToUInt32(elf, (int)phoff + (i * phentsize)) == 3); // PT_INTERP

        // Each role is a fresh exec of it, so each has its code at a base of its own.
        using var d = Daemon.Start().WaitReady();
        var bases = d.Roles().Select(r => r.Pid).Append(d.Pid).Select(ExecutableBase).ToList();
        Assert.Equal(7, bases.Count);
        Assert.Equal(bases.Count, bases.Distinct().Count());
        Assert.DoesNotContain(0x400000UL, bases);
    }

    // Start of the lowest mapping of the process's own executable (/proc/PID/exe) in its maps.
    private static ulong ExecutableBase(int pid)
    {
        string exe = new FileInfo($"/proc/{pid}/exe").LinkTarget ?? throw new InvalidOperationException($"no exe for {pid}");
        string line = File.ReadLines($"/proc/{pid}/maps").First(l => l.EndsWith(" " + exe, StringComparison.Ordinal));
        return Convert.ToUInt64(line[..line.IndexOf('-', StringComparison.Ordinal)], 16);
    }

    [EndToEndFact]
    public void SigintFromTheTerminalStopsTheDaemonCleanly()
    {
        using var d = Daemon.Start().WaitReady();
        var roles = d.Roles();

        // Ctrl-C reaches every process of the foreground group; roles ignore it, the parent stops them.
        foreach (var r in roles)
        {
            Posix.Kill(r.Pid, Libc.SIGINT);
        }

        d.Signal(Libc.SIGINT);
        Assert.Equal(0, d.WaitExit());
        Wait.Until(() => roles.All(r => !ProcInfo.Exists(r.Pid)), "every role has exited");
        Assert.DoesNotContain("lost processor", d.Log, StringComparison.Ordinal);
    }

    [EndToEndFact(needsRoot: true)]
    public void AsRootEachRoleIsChrootedAndDroppedAsDesignedAndOnlyTheParentKeepsRoot()
    {
        using var d = Daemon.Start().WaitReady();
        var smtpd = Posix.GetPwNam("_smtpd")!;
        var smtpq = Posix.GetPwNam("_smtpq")!;
        var parent = ProcInfo.Read(d.Pid)!;
        Assert.All(parent.Uids, u => Assert.Equal(0u, u));
        Assert.Equal("/", parent.Root);

        void Check(string title, PasswdEntry user, string root)
        {
            var p = d.Role(title);
            Assert.All(p.Uids, u => Assert.Equal(user.Uid, u));
            Assert.All(p.Gids, g => Assert.Equal(user.Gid, g));
            Assert.True(p.NoNewPrivs, title + " sets no_new_privs");
            Assert.Equal(root, p.Root);
            string groups = File.ReadAllLines($"/proc/{p.Pid}/status").Single(l => l.StartsWith("Groups:", StringComparison.Ordinal));
            Assert.Equal(user.Gid.ToString(System.Globalization.CultureInfo.InvariantCulture), groups["Groups:".Length..].Trim());
        }

        Check("smtpd: lookup", smtpd, "/");
        Check("smtpd: queue", smtpq, d.Spool);
        Check("smtpd: scheduler", smtpd, d.Empty);
        Check("smtpd: dispatcher", smtpd, d.Empty);
        Check("smtpd: control", smtpd, d.Empty);
        Check("smtpd: crypto", smtpd, d.Empty);
    }

    [EndToEndFact(needsRoot: true)]
    public void AsRootTheSpoolIsLaidOutWithOpenSmtpdsOwnersAndModes()
    {
        using var d = Daemon.Start().WaitReady();
        var smtpq = Posix.GetPwNam("_smtpq")!;
        var top = Posix.TryLStat(d.Spool)!.Value;
        Assert.Equal((0u, 0b111_001_001u), (top.Uid, top.Mode & 0xfff));
        foreach (string sub in new[] { "incoming", "queue", "corrupt", "purge", "temporary" })
        {
            var st = Posix.TryLStat(Path.Combine(d.Spool, sub))!.Value;
            Assert.Equal((smtpq.Uid, 0b111_000_000u), (st.Uid, st.Mode & 0xfff));
        }

        var offline = Posix.TryLStat(Path.Combine(d.Spool, "offline"))!.Value;
        Assert.Equal((0u, smtpq.Gid, 0b111_111_000u), (offline.Uid, offline.Gid, offline.Mode & 0xfff));
    }

    [EndToEndFact]
    public void TheSpoolIsMarkedAsTheTopOfADirectoryHierarchyWhereTheFileSystemHasTheFlag()
    {
        // chattr +T on a directory beside the spool says whether its file system knows the flag.
        using var d = Daemon.Start().WaitReady();
        string probe = Path.Combine(d.Dir, "probe");
        Directory.CreateDirectory(probe);
        bool supported = Binary.Run("chattr", ["+T", probe]).Code == 0;
        var (code, output, _) = Binary.Run("lsattr", ["-d", d.Spool]);
        if (supported)
        {
            Assert.Equal(0, code);
            Assert.Contains('T', output.Split(' ')[0]);
        }
        else
        {
            Assert.True(code != 0 || !output.Split(' ')[0].Contains('T'), output);
        }
    }

    [EndToEndFact]
    public void AnUnprivilegedDaemonRunsEveryRoleAsTheCallerWithoutChroot()
    {
        string? user = Binary.IsRoot ? "nobody" : null;
        using var d = Daemon.Start(runAs: user).WaitReady();
        uint uid = user is null ? Posix.GetEUid() : Posix.GetPwNam(user)!.Uid;
        var all = d.Roles().Append(ProcInfo.Read(d.Pid)!).ToList();
        Assert.Equal(7, all.Count);
        Assert.All(all, p =>
        {
            Assert.All(p.Uids, u => Assert.Equal(uid, u));
            Assert.Equal("/", p.Root);
        });
        Assert.Equal(["MDA running", "MTA running", "SMTP running"], d.Ctl("show", "status").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [EndToEndFact]
    public void ARoleKilledWithSigkillStopsTheDaemonWithALineNamingIt()
    {
        using var d = Daemon.Start().WaitReady();
        var roles = d.Roles();
        Posix.Kill(d.Role("smtpd: queue").Pid, Libc.SIGKILL);
        Assert.Equal(1, d.WaitExit());
        Assert.Contains("warn: lost processor: queue terminated; signal 9", d.Log, StringComparison.Ordinal);
        Wait.Until(() => roles.All(r => !ProcInfo.Exists(r.Pid)), "no role survives");
    }

    [EndToEndFact]
    public void ARoleThatExitsOnItsOwnIsReportedWithItsStatus()
    {
        using var d = Daemon.Start().WaitReady();
        Posix.Kill(d.Role("smtpd: scheduler").Pid, Libc.SIGTERM);

        // Roles ignore SIGTERM (only the parent decides); SIGQUIT terminates one.
        Posix.Kill(d.Role("smtpd: scheduler").Pid, 3);
        int code = d.WaitExit();
        Assert.True(code == 1, $"exit code {code}, log:\n{d.Log}");
        Assert.Matches(@"warn: lost processor: scheduler (terminated; signal 3|exited abnormally)", d.Log);
    }

    [EndToEndFact]
    public void KillingTheParentWithSigkillLeavesNoOrphan()
    {
        using var d = Daemon.Start().WaitReady();
        var roles = d.Roles();
        d.Signal(Libc.SIGKILL);
        d.WaitExit();
        Wait.Until(() => roles.All(r => !ProcInfo.Exists(r.Pid)), "every role noticed its parent is gone");
    }

    [EndToEndFact]
    public void ASecondInstanceOnTheSameControlSocketIsRefused()
    {
        using var d = Daemon.Start().WaitReady();
        var r = Binary.Run(Binary.Require(), ["-d", "--queue-dir", d.Spool, "--socket", d.Socket, "--empty-dir", d.Empty, "-f", Path.Combine(d.Dir, "smtpd.conf")]);
        Assert.Equal(1, r.Code);
        Assert.Contains("already listening", r.Err, StringComparison.Ordinal);
        Assert.False(d.HasExited());
    }

    [EndToEndFact]
    public void WithoutDashDTheDaemonDetachesAndWritesItsPidFile()
    {
        string dir = Directory.CreateTempSubdirectory("smtpd-detach").FullName;
        try
        {
            string sock = Path.Combine(dir, "smtpd.sock");
            string conf = Path.Combine(dir, "smtpd.conf");
            File.WriteAllText(conf, Daemon.MinimalConfigOn());
            var r = Binary.Run(Binary.Require(), ["-f", conf, "--queue-dir", Path.Combine(dir, "spool"), "--socket", sock, "--empty-dir", dir], timeout: TimeSpan.FromSeconds(20));
            Assert.Equal(0, r.Code);
            string pidFile = Path.Combine(dir, "smtpd.pid");
            Wait.Until(() => File.Exists(pidFile) && File.ReadAllText(pidFile).EndsWith('\n'), "the detached daemon writes its pid file");
            int pid = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            // A session leader of its own (setsid), detached from the terminal that started it.
            Assert.Equal(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText($"/proc/{pid}/stat").Split(' ')[5]);
            Wait.Until(() => ProcInfo.ChildrenOf(pid).Count == 6, "the detached daemon runs every role");
            var roles = ProcInfo.ChildrenOf(pid);
            Posix.Kill(pid, Libc.SIGTERM);
            Wait.Until(() => !ProcInfo.Exists(pid) && roles.All(x => !ProcInfo.Exists(x.Pid)), "the detached daemon and its roles stop on SIGTERM");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [EndToEndFact]
    public void SighupReloadsTheConfigurationAndEveryRoleGoesOn()
    {
        using var d = Daemon.Start().WaitReady();
        var roles = d.Roles();
        d.Signal(Libc.SIGHUP);
        Wait.Until(() => d.Log.Contains("info: SIGHUP received: reloading the configuration", StringComparison.Ordinal), "the SIGHUP is logged");
        Wait.Until(() => d.Log.Contains("info: configuration reloaded", StringComparison.Ordinal), "the configuration is reloaded");
        Assert.False(d.HasExited());
        Assert.All(roles, r => Assert.True(ProcInfo.Exists(r.Pid)));
    }
}
