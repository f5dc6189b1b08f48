// The set-up every relay test shares: a private network namespace with unbound serving the test
// zone, peers listening where the zone points, and the daemon under test inside the namespace,
// its resolv.conf naming only that unbound, local mail (bounces) going to a maildir of the test
// user. Mail is submitted with python3 smtplib from inside the namespace.
using System.Text.Json.Nodes;
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

internal sealed class RelayWorld : IDisposable
{
    public const string TestUser = "smtpdtest";

    private readonly List<Daemon> _daemons = [];

    /// <param name="records">Records of the static test. zone.</param>
    /// <param name="signedZone">A zone ("sec.") and its records, DNSSEC-signed, answered with the AD bit.</param>
    public RelayWorld(IEnumerable<string> records, (string Zone, IEnumerable<string> Records)? signedZone = null)
    {
        Binary.EnsureSystemUsers();
        Binary.EnsureUser(TestUser);
        Dir = Directory.CreateTempSubdirectory("smtpd-relay-").FullName;
        File.SetUnixFileMode(Dir, (UnixFileMode)0b111_101_101);
        Mail = Path.Combine(Dir, "mail");
        Directory.CreateDirectory(Mail);
        var user = Posix.GetPwNam(TestUser)!;
        Binary.Run("chown", [$"{user.Uid}:{user.Gid}", Mail]);
        Ns = new NetNs();
        var signed = signedZone is { } s ? UnboundZone.Sign(Path.Combine(Dir, "dns"), s.Zone, s.Records) : default;
        Dns = UnboundZone.Start(Ns, Path.Combine(Dir, "dns"), "127.0.0.53", ["test."], records,
            signedZone is { } z ? [(z.Zone, signed.Zone, signed.TrustAnchor)] : null);
    }

    public NetNs Ns { get; }

    public UnboundZone Dns { get; }

    public string Dir { get; }

    /// <summary>The test user's maildir: bounces to smtpdtest@localhost land in its new/.</summary>
    public string Mail { get; }

    public MtaPeer Peer(string name, string address, JsonObject? options = null, int port = 25) =>
        MtaPeer.Start(Ns, Path.Combine(Dir, name), address, options, port);

    /// <summary>
    /// The daemon under test: local mail to the maildir, everything else through the action
    /// <c>out</c> declared by <paramref name="relayAction"/> ("relay", "relay host ...").
    /// </summary>
    public Daemon Start(string relayAction, string extra = "")
    {
        string conf = $"""
            {extra}listen on 127.0.0.1 port {"{PORT}"}
            action "local" maildir "{Mail}"
            action "out" {relayAction}
            match from local for local action "local"
            match from local for any action "out"

            """;
        return StartWith(conf);
    }

    /// <summary>The daemon under test with a configuration of its own ({PORT}: the port to submit to).</summary>
    public Daemon StartWith(string conf)
    {
        var d = Daemon.Start(conf, netns: Ns, env: new Dictionary<string, string> { ["SMTPD_MTA_TIMEOUT_SECS"] = "10" },
            prepare: dir => File.WriteAllText(Path.Combine(dir, "resolv.conf"), Dns.ResolvConf)).WaitReady();
        _daemons.Add(d);
        return d;
    }

    /// <summary>Submits <paramref name="message"/> (bytes as given) to the daemon from inside the namespace.</summary>
    public void Send(Daemon d, string from, IEnumerable<string> to, byte[] message, string rcptOptions = "")
    {
        string file = Path.Combine(Dir, "submit-" + Guid.NewGuid().ToString("N") + ".eml");
        File.WriteAllBytes(file, message);
        string rcpts = string.Join(", ", to.Select(t => $"\"{t}\""));
        string script = $"""
            import smtplib
            s = smtplib.SMTP("127.0.0.1", {d.Port}, local_hostname="client.test", timeout=30)
            s.sendmail("{from}", [{rcpts}], open("{file}", "rb").read(), rcpt_options=[{(rcptOptions.Length > 0 ? $"\"{rcptOptions}\"" : string.Empty)}])
            s.quit()
            """;
        var r = Ns.Run("python3", ["-c", script]);
        Assert.True(r.Code == 0, r.Err + "\n" + d.Log);
    }

    public void Send(Daemon d, string from, IEnumerable<string> to, string message, string rcptOptions = "") =>
        Send(d, from, to, System.Text.Encoding.UTF8.GetBytes(message), rcptOptions);

    /// <summary>The reports (bounces) delivered to the test user, oldest first.</summary>
    public List<string> Reports() => Directory.Exists(Path.Combine(Mail, "new"))
        ? [.. Directory.GetFiles(Path.Combine(Mail, "new")).OrderBy(File.GetLastWriteTimeUtc).Select(File.ReadAllText)]
        : [];

    public void Dispose()
    {
        foreach (var d in _daemons)
        {
            d.Dispose();
        }

        Ns.Dispose();
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
            // A peer's file still open: left for the temp cleaner.
        }
    }
}
