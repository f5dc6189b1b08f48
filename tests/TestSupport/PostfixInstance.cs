// A private Postfix instance for interoperability tests: the Debian package unpacked under a
// prefix (as ../shared/bench/setup.sh does it: /opt/anchors/postfix, or $SMTPD_TEST_POSTFIX),
// every directory relocated into a test directory by main.cf, its SMTP listener on a free
// loopback port, chroot off, logging to a file. Started with `postfix start`, stopped on Dispose.

namespace Smtpd.Tests.TestSupport;

internal sealed class PostfixInstance : IDisposable
{
    private PostfixInstance(string dir, int port)
    {
        Dir = dir;
        Port = port;
    }

    public string Dir { get; }

    /// <summary>Postfix's own SMTP listener, where tests hand it mail.</summary>
    public int Port { get; }

    public string Log => File.Exists(LogFile) ? File.ReadAllText(LogFile) : string.Empty;

    private string LogFile => Path.Combine(Dir, "postfix.log");

    private string Conf => Path.Combine(Dir, "conf");

    /// <summary>Where the unpacked package is, or null.</summary>
    public static string? Prefix =>
        new[] { Environment.GetEnvironmentVariable("SMTPD_TEST_POSTFIX"), "/opt/anchors/postfix" }
            .FirstOrDefault(p => p is { Length: > 0 } && File.Exists(Path.Combine(p, "usr/sbin/postfix")));

    /// <summary>Why a Postfix instance cannot run here, or null.</summary>
    public static string? Missing =>
        Smtpd.Interop.Posix.GetEUid() != 0 ? "needs root (postfix master runs as root)"
        : Prefix is null ? "no unpacked Postfix (../shared/bench/setup.sh puts one in /opt/anchors/postfix; or set SMTPD_TEST_POSTFIX)"
        : Smtpd.Interop.Posix.GetPwNam("postfix") is null || Binary.Run("getent", ["group", "postdrop"]).Code != 0 ? "no postfix user or postdrop group"
        : null;

    /// <summary>A running instance whose main.cf has the defaults below plus <paramref name="mainCf"/> lines.</summary>
    public static PostfixInstance Start(string mainCf)
    {
        string pf = Prefix!;
        string dir = Directory.CreateTempSubdirectory("smtpd-postfix-").FullName;
        File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
        var postfix = new PostfixInstance(dir, Daemon.FreePort());
        string conf = postfix.Conf, spool = Path.Combine(dir, "spool"), data = Path.Combine(dir, "data");
        Directory.CreateDirectory(conf);
        Directory.CreateDirectory(spool);
        Directory.CreateDirectory(data);
        Binary.Run("chown", ["postfix:root", data]);

        // Postfix's meta files, as its packaging installs them (set-gid modes dropped: the
        // unpacked binaries have none).
        File.WriteAllText(Path.Combine(conf, "postfix-files"), File.ReadAllText(Path.Combine(pf, "etc/postfix/postfix-files")).Replace(":2755:", ":755:", StringComparison.Ordinal));
        Binary.Run("cp", ["-r", Path.Combine(pf, "etc/postfix/postfix-files.d"), Path.Combine(pf, "etc/postfix/dynamicmaps.cf.d"), conf]);
        foreach (string f in new[] { "dynamicmaps.cf", "makedefs.out" })
        {
            File.Copy(Path.Combine(pf, "usr/share/postfix", f), Path.Combine(conf, f));
        }

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
            myhostname = client.postfix.test
            mydomain = postfix.test
            mydestination =
            inet_interfaces = 127.0.0.1
            inet_protocols = ipv4
            mynetworks = 127.0.0.0/8
            smtpd_peername_lookup = no
            smtp_dns_support_level = disabled
            alias_maps =
            alias_database =
            biff = no
            maillog_file = {postfix.LogFile}
            maillog_file_prefixes = {dir}

            """ + mainCf);

        PostfixMasterCf.Write(pf, conf, postfix.Port);
        postfix.Run("check");
        postfix.Run("start");
        return postfix;
    }

    private void Run(string command)
    {
        var r = Binary.Run(Path.Combine(Prefix!, "usr/sbin/postfix"), ["-c", Conf, command],
            new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = Path.Combine(Prefix!, "usr/lib/postfix") }, TimeSpan.FromSeconds(60));
        Assert.True(r.Code == 0, $"postfix {command} failed ({r.Code}): {r.Err}{r.Out}\n{Log}");
    }

    public void Dispose()
    {
        try
        {
            Run("stop");
        }
        catch (Exception)
        {
            // Already stopped.
        }
    }
}
