// Postfix for the TLS benchmark: the Debian package unpacked under a prefix (../shared/bench's
// setup.sh puts it in /opt/anchors/postfix; SMTPD_BENCH_POSTFIX overrides), run privately with
// every directory in a scratch directory, STARTTLS offered (smtpd_tls_security_level = may) with
// the benchmark's certificate, accepted mail queued (fsync) and then discarded. Its CPU is that
// of the master and its children, including exited ones (the master's cutime/cstime).
using System.Diagnostics;
using System.Globalization;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Bench;

internal sealed class TlsBenchPostfix : IDisposable
{
    private readonly string _conf;
    private readonly string _pf;
    private int _master;

    private TlsBenchPostfix(string pf, string conf)
    {
        _pf = pf;
        _conf = conf;
    }

    public string Version => "Postfix " + File.ReadAllText(Path.Combine(_pf, ".version")).Trim();

    private static string? Prefix =>
        new[] { Environment.GetEnvironmentVariable("SMTPD_BENCH_POSTFIX"), "/opt/anchors/postfix" }
            .FirstOrDefault(p => p is { Length: > 0 } && File.Exists(Path.Combine(p, "usr/sbin/postfix")));

    /// <summary>Why Postfix cannot be measured here, or null.</summary>
    public static string? Missing =>
        Environment.UserName != "root" ? "needs root"
        : Prefix is null ? "no unpacked Postfix (run ../shared/bench/setup.sh, or set SMTPD_BENCH_POSTFIX)"
        : null;

    public static TlsBenchPostfix Start(string dir, int port, string key, string cert)
    {
        string pf = Prefix!;
        string conf = Path.Combine(dir, "conf"), spool = Path.Combine(dir, "spool"), data = Path.Combine(dir, "data");
        Directory.CreateDirectory(conf);
        Directory.CreateDirectory(spool);
        Directory.CreateDirectory(data);
        TlsBench.Run("chown", "postfix:root", data);
        File.WriteAllText(Path.Combine(conf, "postfix-files"), File.ReadAllText(Path.Combine(pf, "etc/postfix/postfix-files")).Replace(":2755:", ":755:", StringComparison.Ordinal));
        TlsBench.Run("cp", "-r", Path.Combine(pf, "etc/postfix/postfix-files.d"), Path.Combine(pf, "etc/postfix/dynamicmaps.cf.d"), conf);
        File.Copy(Path.Combine(pf, "usr/share/postfix/dynamicmaps.cf"), Path.Combine(conf, "dynamicmaps.cf"));
        File.Copy(Path.Combine(pf, "usr/share/postfix/makedefs.out"), Path.Combine(conf, "makedefs.out"));
        File.WriteAllText(Path.Combine(conf, "main.cf"), $"""
            compatibility_level = 3.6
            command_directory = {pf}/usr/sbin
            daemon_directory = {pf}/usr/lib/postfix/sbin
            shlib_directory = {pf}/usr/lib/postfix
            meta_directory = {conf}
            queue_directory = {spool}
            data_directory = {data}
            mail_owner = postfix
            setgid_group = postdrop
            import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C POSTLOG_SERVICE POSTLOG_HOSTNAME LD_LIBRARY_PATH={pf}/usr/lib/postfix
            myhostname = mx.example.org
            mydestination =
            inet_interfaces = 127.0.0.1
            inet_protocols = ipv4
            mynetworks = 127.0.0.0/8
            smtpd_peername_lookup = no
            smtp_dns_support_level = disabled
            alias_maps =
            alias_database =
            biff = no
            default_transport = discard
            relay_transport = discard
            smtpd_tls_security_level = may
            smtpd_tls_chain_files = {key}, {cert}
            maillog_file = {dir}/postfix.log
            maillog_file_prefixes = {dir}

            """);
        PostfixMasterCf.Write(pf, conf, port);
        var postfix = new TlsBenchPostfix(pf, conf);
        postfix.Command("check");
        postfix.Command("start");
        return postfix;
    }

    /// <summary>CPU ticks of the master, its live children and its reaped ones.</summary>
    public long Cpu()
    {
        if (_master == 0)
        {
            // Read with cat: the master holds a lock on its pid file that .NET's open would respect.
            string pidFile = Path.Combine(File.ReadAllLines(Path.Combine(_conf, "main.cf")).First(l => l.StartsWith("queue_directory = ", StringComparison.Ordinal))[18..], "pid", "master.pid");
            var psi = new ProcessStartInfo("cat", [pidFile]) { RedirectStandardOutput = true };
            using var p = Process.Start(psi)!;
            _master = int.Parse(p.StandardOutput.ReadToEnd().Trim(), CultureInfo.InvariantCulture);
            p.WaitForExit();
        }

        return TlsBench.TreeCpu(_master);
    }

    private void Command(string command)
    {
        var psi = new ProcessStartInfo(Path.Combine(_pf, "usr/sbin/postfix"), ["-c", _conf, command]) { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.Environment["LD_LIBRARY_PATH"] = Path.Combine(_pf, "usr/lib/postfix");
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"postfix {command}: {output}");
        }
    }

    public void Dispose() => Command("stop");
}
