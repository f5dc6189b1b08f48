// A real DNS server for relay tests: Debian's unbound, inside a test network namespace, serving
// test zones from local-data records (MX, A, AAAA, a null MX; names under no zone of ours are
// refused as NXDOMAIN by the static zones). The daemon under test is pointed at it with a
// resolv.conf of its own; nothing asks the host's nameserver. A DNSSEC-signed zone can be added
// (signed at test time with ldns-signzone): unbound then validates it against its key as a trust
// anchor and sets the AD bit on its answers, which the daemon believes ("options trust-ad").
using System.Text;

namespace Smtpd.Tests.TestSupport;

internal sealed class UnboundZone
{
    public const string Binary = "/usr/sbin/unbound";

    private UnboundZone(string address) => Address = address;

    /// <summary>Where it listens (port 53), inside the namespace.</summary>
    public string Address { get; }

    /// <summary>A resolv.conf naming only this server.</summary>
    public string ResolvConf => $"nameserver {Address}\noptions timeout:2 attempts:2 trust-ad\n";

    public static string? SkipReason => File.Exists(Binary) ? null : "needs unbound (Debian package unbound, in TEST_PKGS)";

    public const string SignZone = "/usr/bin/ldns-signzone";

    public static string? SignedSkipReason => SkipReason ?? (File.Exists(SignZone) ? null : "needs ldns-signzone (Debian package ldnsutils, in TEST_PKGS)");

    /// <summary>
    /// Writes zone <paramref name="zone"/> ("sec.") with <paramref name="records"/> in
    /// <paramref name="dir"/>, signed with a new ECDSA key valid from a day ago for 30 days;
    /// returns the signed zone file and the trust anchor file (the key's DNSKEY record).
    /// </summary>
    public static (string Zone, string TrustAnchor) Sign(string dir, string zone, IEnumerable<string> records)
    {
        Directory.CreateDirectory(dir);
        string file = Path.Combine(dir, zone.TrimEnd('.') + ".zone");
        var text = new StringBuilder();
        text.Append($"$TTL 300\n{zone} IN SOA ns.{zone} admin.{zone} 1 3600 600 86400 300\n{zone} IN NS ns.{zone}\nns.{zone} IN A 127.0.0.53\n");
        foreach (var r in records)
        {
            text.Append(r).Append('\n');
        }

        File.WriteAllText(file, text.ToString());
        var key = TestSupport.Binary.Run("sh", ["-c", $"cd '{dir}' && ldns-keygen -a ECDSAP256SHA256 -k {zone}"]);
        Assert.True(key.Code == 0, key.Err);
        string keyBase = Path.Combine(dir, key.Out.Trim());
        string inception = DateTime.UtcNow.AddDays(-1).ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        string expiration = DateTime.UtcNow.AddDays(30).ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var sign = TestSupport.Binary.Run(SignZone, ["-n", "-i", inception, "-e", expiration, "-f", file + ".signed", file, keyBase]);
        Assert.True(sign.Code == 0, sign.Err);
        string anchor = Path.Combine(dir, zone.TrimEnd('.') + ".anchor");
        File.WriteAllLines(anchor, File.ReadAllLines(keyBase + ".key").Where(l => l.Contains("DNSKEY", StringComparison.Ordinal)));
        return (file + ".signed", anchor);
    }

    /// <summary>
    /// Starts unbound in <paramref name="ns"/> on <paramref name="address"/>:53 with static zones
    /// <paramref name="zones"/> ("test.") holding <paramref name="records"/> ("example.test. MX 10 mx1.example.test.").
    /// </summary>
    public static UnboundZone Start(NetNs ns, string dir, string address, IEnumerable<string> zones, IEnumerable<string> records,
        IEnumerable<(string Zone, string File, string TrustAnchor)>? signed = null)
    {
        var secure = signed?.ToList() ?? [];
        Directory.CreateDirectory(dir);
        var conf = new StringBuilder();
        conf.Append("server:\n")
            .Append($"  interface: {address}\n  port: 53\n  username: \"\"\n  chroot: \"\"\n")
            .Append($"  directory: \"{dir}\"\n  pidfile: \"{dir}/unbound.pid\"\n  do-daemonize: no\n")
            .Append($"  use-syslog: no\n  logfile: \"{dir}/unbound.log\"\n  verbosity: 1\n")
            .Append("  access-control: 127.0.0.0/8 allow\n  access-control: ::1 allow\n")
            .Append(secure.Count > 0 ? "  module-config: \"validator iterator\"\n" : "  module-config: \"iterator\"\n")
            .Append("  do-not-query-localhost: no\n");
        foreach (var s in secure)
        {
            conf.Append($"  trust-anchor-file: \"{s.TrustAnchor}\"\n");
        }

        foreach (var z in zones)
        {
            conf.Append($"  local-zone: \"{z}\" static\n");
        }

        foreach (var r in records)
        {
            // A TXT record's own double quotes need single quotes around it.
            conf.Append(r.Contains('"', StringComparison.Ordinal) ? $"  local-data: '{r}'\n" : $"  local-data: \"{r}\"\n");
        }

        foreach (var s in secure)
        {
            conf.Append($"auth-zone:\n  name: \"{s.Zone}\"\n  zonefile: \"{s.File}\"\n  for-upstream: yes\n  for-downstream: no\n  fallback-enabled: no\n");
        }

        conf.Append("remote-control:\n  control-enable: no\n");
        string path = Path.Combine(dir, "unbound.conf");
        File.WriteAllText(path, conf.ToString());
        ns.Start(Binary, ["-d", "-c", path], Path.Combine(dir, "unbound.out"));
        string log = Path.Combine(dir, "unbound.log");
        Wait.Until(() => File.Exists(log) && File.ReadAllText(log).Contains("start of service", StringComparison.Ordinal),
            "unbound serves the test zone:\n" + (File.Exists(Path.Combine(dir, "unbound.out")) ? File.ReadAllText(Path.Combine(dir, "unbound.out")) : string.Empty));
        return new UnboundZone(address);
    }
}
