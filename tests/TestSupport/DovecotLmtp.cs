// A private Dovecot LMTP server for end-to-end tests: its own config, runtime and state
// directories, log and maildirs in a temporary tree, listening on a UNIX socket there and on a
// loopback TCP port, with one user. Run in the foreground so the test owns (and always stops) it.
using System.Globalization;
using Smtpd.Interop;

namespace Smtpd.Tests.TestSupport;

internal sealed class DovecotLmtp : IDisposable
{
    private const string DovecotBin = "/usr/sbin/dovecot";
    private const string LmtpBin = "/usr/lib/dovecot/lmtp";

    private readonly int _pid;
    private bool _reaped;

    private DovecotLmtp(string dir, int pid, int port, string user)
    {
        Dir = dir;
        _pid = pid;
        Port = port;
        User = user;
    }

    public string Dir { get; }

    public int Port { get; }

    public string User { get; }

    public string Config => Path.Combine(Dir, "dovecot.conf");

    public string Socket => Path.Combine(Dir, "lmtp.sock");

    /// <summary>The user's INBOX, a maildir.</summary>
    public string Maildir => Path.Combine(Dir, "mail", User);

    public string Log => File.Exists(Path.Combine(Dir, "dovecot.log")) ? File.ReadAllText(Path.Combine(Dir, "dovecot.log")) : string.Empty;

    public static bool IsInstalled => File.Exists(DovecotBin) && File.Exists(LmtpBin);

    /// <summary>Installs dovecot-lmtpd (and so dovecot-core) when missing, as `make test` would; root only.</summary>
    public static void EnsureInstalled()
    {
        if (IsInstalled)
        {
            return;
        }

        var env = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        string[] install = ["install", "-y", "-qq", "--no-install-recommends", "dovecot-lmtpd"];
        var r = Binary.Run("apt-get", install, env, TimeSpan.FromMinutes(10));
        if (r.Code != 0 || !IsInstalled)
        {
            // A fresh machine's package lists may know nothing yet.
            Binary.Run("apt-get", ["update", "-qq"], env, TimeSpan.FromMinutes(10));
            r = Binary.Run("apt-get", install, env, TimeSpan.FromMinutes(10));
        }

        if (!IsInstalled)
        {
            throw new InvalidOperationException("could not install dovecot-lmtpd: " + r.Err);
        }
    }

    /// <summary>Starts Dovecot with one user, <paramref name="user"/>, whose mail it stores as that user.</summary>
    public static DovecotLmtp Start(PasswdEntry user)
    {
        ArgumentNullException.ThrowIfNull(user);
        string dir = Directory.CreateTempSubdirectory("smtpd-dovecot-").FullName;
        // Traversable by the delivery helper, which runs as the recipient.
        File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
        foreach (string sub in new[] { "run", "state", "mail" })
        {
            Directory.CreateDirectory(Path.Combine(dir, sub));
        }

        Binary.Run("chown", [$"{user.Uid}:{user.Gid}", Path.Combine(dir, "mail")]);
        File.WriteAllText(Path.Combine(dir, "users"), $"{user.Name}::{user.Uid}:{user.Gid}::{Path.Combine(dir, "mail", user.Name)}::\n");
        int port = Daemon.FreePort();
        File.WriteAllText(Path.Combine(dir, "dovecot.conf"), ConfigText(dir, port));

        string log = Path.Combine(dir, "dovecot.stderr");
        using var logFd = Posix.Open(log, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_APPEND, 0b110_100_100);
        using var devnull = Posix.Open("/dev/null", Libc.O_RDONLY);
        // -F: no daemonising, so the pid is the master's and it is ours to reap.
        int pid = Posix.Spawn(DovecotBin, ["dovecot", "-F", "-c", Path.Combine(dir, "dovecot.conf")], ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], [(devnull, 0), (logFd, 1), (logFd, 2)]);
        var dovecot = new DovecotLmtp(dir, pid, port, user.Name);
        try
        {
            Wait.Until(() => dovecot.HasExited() || (File.Exists(dovecot.Socket) && dovecot.AcceptsTcp()), "dovecot listens");
            if (dovecot.HasExited())
            {
                throw new InvalidOperationException("dovecot exited:\n" + File.ReadAllText(log) + dovecot.Log);
            }
        }
        catch
        {
            dovecot.Dispose();
            throw;
        }

        return dovecot;
    }

    private static string ConfigText(string dir, int port) => string.Create(CultureInfo.InvariantCulture, $$"""
        base_dir = {{dir}}/run
        state_dir = {{dir}}/state
        instance_name = smtpd-test-{{Path.GetFileName(dir)}}
        protocols = lmtp
        ssl = no
        listen = 127.0.0.1
        log_path = {{dir}}/dovecot.log
        default_internal_user = dovecot
        default_login_user = dovenull
        first_valid_uid = 1
        passdb {
          driver = passwd-file
          args = {{dir}}/users
        }
        userdb {
          driver = passwd-file
          args = {{dir}}/users
        }
        mail_location = maildir:{{dir}}/mail/%u
        service lmtp {
          unix_listener {{dir}}/lmtp.sock {
            mode = 0666
          }
          inet_listener lmtp {
            address = 127.0.0.1
            port = {{port}}
          }
        }

        """);

    private bool AcceptsTcp()
    {
        try
        {
            using var c = new System.Net.Sockets.TcpClient();
            c.Connect(System.Net.IPAddress.Loopback, Port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>Files delivered into the INBOX.</summary>
    public List<string> Delivered() =>
        Directory.Exists(Path.Combine(Maildir, "new")) ? [.. Directory.GetFiles(Path.Combine(Maildir, "new"))] : [];

    private bool HasExited()
    {
        if (!_reaped && Posix.TryWaitPid(_pid) is not null)
        {
            _reaped = true;
        }

        return _reaped;
    }

    public void Dispose()
    {
        var children = ProcInfo.ChildrenOf(_pid);
        if (!HasExited())
        {
            Binary.Run("doveadm", ["-c", Config, "stop"], timeout: TimeSpan.FromSeconds(30));
            try
            {
                Wait.Until(HasExited, "dovecot stops", TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
                Posix.Kill(_pid, Libc.SIGKILL);
                Wait.Until(HasExited, "dovecot dies");
            }
        }

        // The master takes its children down with it; any straggler is killed by pid.
        foreach (var child in children.Where(c => ProcInfo.Exists(c.Pid)))
        {
            Posix.Kill(child.Pid, Libc.SIGKILL);
        }

        try
        {
            Directory.Delete(Dir, true);
        }
        catch (IOException)
        {
        }
    }
}
