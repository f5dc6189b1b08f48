// Runs the real smtpd binary in a private temporary tree (spool, socket, empty dir, config)
// with its stderr (-d) in a file, and stops it, and everything it started, when disposed.
using Smtpd.Interop;

namespace Smtpd.Tests.TestSupport;

internal sealed class Daemon : IDisposable
{
    private readonly int _pid;
    private bool _reaped;

    private Daemon(string dir, int pid, string logFile, int port)
    {
        Dir = dir;
        _pid = pid;
        LogFile = logFile;
        Port = port;
    }

    /// <summary>The free port that replaced {PORT} in the configuration.</summary>
    public int Port { get; }

    public string Dir { get; }

    public int Pid => _pid;

    public string LogFile { get; }

    public string Socket => Path.Combine(Dir, "run", "smtpd.sock");

    public string Spool => Path.Combine(Dir, "spool");

    public string Empty => Path.Combine(Dir, "empty");

    public string Log => File.Exists(LogFile) ? File.ReadAllText(LogFile) : string.Empty;

    public int? ExitCode { get; private set; }

    /// <summary>Set when a restarted daemon took over the directory: disposing this one leaves it.</summary>
    public bool Keep { get; private set; }

    /// <summary>Local delivery only, on a port filled in at start ({PORT}).</summary>
    public const string MinimalConfig = "listen on 127.0.0.1 port {PORT}\naction \"local\" maildir\nmatch for local action \"local\"\n";

    /// <summary>The minimal configuration listening on <paramref name="port"/> (a free one if not given).</summary>
    public static string MinimalConfigOn(int? port = null) =>
        MinimalConfig.Replace("{PORT}", (port ?? FreePort()).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>Starts smtpd -d with the given config text ({PORT} becomes a free port), optionally as another user (via setpriv).
    /// With <paramref name="stopSignalsIgnored"/>, it starts with SIGINT and SIGTERM ignored, as a
    /// background job of a shell or a child of a program that ignores them would.
    /// With <paramref name="openFiles"/>, it starts with that descriptor limit (soft and hard, via prlimit).</summary>
    public static Daemon Start(string config = MinimalConfig, string? runAs = null, IEnumerable<string>? extraArgs = null, Action<string>? prepare = null, IReadOnlyDictionary<string, string>? env = null, bool stopSignalsIgnored = false, int? openFiles = null, NetNs? netns = null, string? rootPrelude = null, bool debug = true)
    {
        string dir = Directory.CreateTempSubdirectory("smtpd-e2e-").FullName;
        File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
        Directory.CreateDirectory(Path.Combine(dir, "run"));
        Directory.CreateDirectory(Path.Combine(dir, "empty"));
        string conf = Path.Combine(dir, "smtpd.conf");
        int port = FreePort();
        File.WriteAllText(conf, config.Replace("{PORT}", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        if (runAs is not null)
        {
            var user = Posix.GetPwNam(runAs)!;
            foreach (string p in new[] { dir, Path.Combine(dir, "run"), conf })
            {
                Binary.Run("chown", [$"{user.Uid}:{user.Gid}", p]);
            }
        }

        prepare?.Invoke(dir);
        return Launch(dir, port, runAs, extraArgs, env, stopSignalsIgnored, openFiles, netns, rootPrelude, debug);
    }

    /// <summary>A new daemon on the same directory, spool, configuration and port (the old one must be dead).</summary>
    public static Daemon Restart(Daemon old, IEnumerable<string>? extraArgs = null)
    {
        old.Keep = true;
        return Launch(old.Dir, old.Port, null, extraArgs);
    }

    private static Daemon Launch(string dir, int port, string? runAs, IEnumerable<string>? extraArgs, IReadOnlyDictionary<string, string>? extraEnv = null, bool stopSignalsIgnored = false, int? openFiles = null, NetNs? netns = null, string? rootPrelude = null, bool debug = true)
    {
        string conf = Path.Combine(dir, "smtpd.conf");
        string exe = Binary.Require();
        string[] daemonArgs = [.. debug ? ["-d"] : Array.Empty<string>(), "-f", conf, "--queue-dir", Path.Combine(dir, "spool"), "--socket", Path.Combine(dir, "run", "smtpd.sock"), "--empty-dir", Path.Combine(dir, "empty"), .. extraArgs ?? []];
        string file = exe;
        List<string> argv = ["smtpd", .. daemonArgs];
        if (runAs is not null)
        {
            // setpriv execs the daemon in place: the pid we get is the daemon's.
            file = "/usr/bin/setpriv";
            argv = ["setpriv", $"--reuid={runAs}", $"--regid={Posix.GetPwNam(runAs)!.Gid}", "--clear-groups", "--", exe, .. daemonArgs];
        }
        else if (openFiles is int n)
        {
            // prlimit sets the limit on itself and execs the daemon in place.
            file = "/usr/bin/prlimit";
            argv = ["prlimit", $"--nofile={n}:{n}", "--", exe, .. daemonArgs];
        }
        else if (netns is not null)
        {
            // nsenter joins the test's network namespace and execs the daemon in place.
            file = "/usr/bin/nsenter";
            argv = ["nsenter", "--net=" + netns.Path, "--", exe, .. daemonArgs];
        }
        else if (rootPrelude is not null)
        {
            // A private mount namespace (root only): the prelude may bind or overlay system files
            // for this daemon alone; the shell then execs the daemon in place.
            file = "/usr/bin/unshare";
            argv = ["unshare", "-m", "--propagation", "private", "sh", "-c", rootPrelude + " && exec \"$0\" \"$@\"", exe, .. daemonArgs];
        }
        else if (stopSignalsIgnored)
        {
            // trap '' sets SIG_IGN, which exec keeps; the shell execs the daemon in place.
            file = "/bin/sh";
            argv = ["sh", "-c", "trap '' INT TERM; exec \"$0\" \"$@\"", exe, .. daemonArgs];
        }

        string log = Path.Combine(dir, "smtpd.log");
        using var logFd = Posix.Open(log, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_APPEND, 0b110_100_100);
        using var devnull = Posix.Open("/dev/null", Libc.O_RDONLY);
        // Never the host's nameserver: a resolv.conf of our own that names a loopback address
        // nobody answers on (tests that need DNS start a server and write {dir}/resolv.conf in prepare).
        string resolv = Path.Combine(dir, "resolv.conf");
        if (!File.Exists(resolv))
        {
            File.WriteAllText(resolv, "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n");
        }
        var env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Where(e => (string)e.Key != "SMTPD_RESOLV_CONF")
            .Select(e => $"{e.Key}={e.Value}")
            .Append("SMTPD_RESOLV_CONF=" + resolv)
            .Concat((extraEnv ?? new Dictionary<string, string>()).Select(kv => $"{kv.Key}={kv.Value}"))
            .ToList();
        int pid = Posix.Spawn(file, argv, env, [(devnull, 0), (logFd, 1), (logFd, 2)]);
        return new Daemon(dir, pid, log, port);
    }

    /// <summary>A TCP port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Waits until all six roles run (filter processes are children too) and the control socket answers.</summary>
    public Daemon WaitReady()
    {
        Wait.Until(() => Roles().Count(r => r.CmdLine.StartsWith("smtpd: ", StringComparison.Ordinal)) == 6 && File.Exists(Socket) && File.Exists(Path.ChangeExtension(Socket, ".pid")) || HasExited(), "smtpd is ready");
        if (HasExited())
        {
            throw new InvalidOperationException($"smtpd exited with {ExitCode}:\n{Log}");
        }

        return this;
    }

    public List<ProcInfo> Roles() => ProcInfo.ChildrenOf(_pid);

    public ProcInfo Role(string title) => Roles().Single(r => r.CmdLine == title);

    public bool HasExited()
    {
        if (_reaped)
        {
            return true;
        }

        if (Posix.TryWaitPid(_pid) is { } status)
        {
            _reaped = true;
            ExitCode = new WaitStatus(status).Exited ? new WaitStatus(status).ExitCode : 128 + new WaitStatus(status).TermSignal;
            return true;
        }

        return false;
    }

    public void Signal(int signal) => Posix.Kill(_pid, signal);

    public int WaitExit()
    {
        Wait.Until(HasExited, "smtpd exits");
        return ExitCode!.Value;
    }

    public (int Code, string Out, string Err) Ctl(params string[] args) =>
        Binary.Run(Binary.LinkAs(Dir, "smtpctl"), args, new Dictionary<string, string> { ["SMTPD_SOCKET"] = Socket, ["SMTPD_QUEUE_DIR"] = Spool });

    public void Dispose()
    {
        var roles = Roles();
        if (!HasExited())
        {
            Signal(Libc.SIGKILL);
            WaitExit();
        }

        foreach (var r in roles)
        {
            Posix.Kill(r.Pid, Libc.SIGKILL);
        }

        try
        {
            if (!Keep)
            {
                Directory.Delete(Dir, true);
            }
        }
        catch (IOException)
        {
        }
    }
}
