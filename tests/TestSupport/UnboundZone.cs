// A real DNS server for relay tests: Debian's unbound, inside a test network namespace, serving
// test zones from local-data records (MX, A, AAAA, a null MX; names under no zone of ours are
// refused as NXDOMAIN by the static zones). The daemon under test is pointed at it with a
// resolv.conf of its own; nothing asks the host's nameserver.
using System.Text;

namespace Smtpd.Tests.TestSupport;

internal sealed class UnboundZone
{
    public const string Binary = "/usr/sbin/unbound";

    private UnboundZone(string address) => Address = address;

    /// <summary>Where it listens (port 53), inside the namespace.</summary>
    public string Address { get; }

    /// <summary>A resolv.conf naming only this server.</summary>
    public string ResolvConf => $"nameserver {Address}\noptions timeout:2 attempts:2\n";

    public static string? SkipReason => File.Exists(Binary) ? null : "needs unbound (Debian package unbound, in TEST_PKGS)";

    /// <summary>
    /// Starts unbound in <paramref name="ns"/> on <paramref name="address"/>:53 with static zones
    /// <paramref name="zones"/> ("test.") holding <paramref name="records"/> ("example.test. MX 10 mx1.example.test.").
    /// </summary>
    public static UnboundZone Start(NetNs ns, string dir, string address, IEnumerable<string> zones, IEnumerable<string> records)
    {
        Directory.CreateDirectory(dir);
        var conf = new StringBuilder();
        conf.Append("server:\n")
            .Append($"  interface: {address}\n  port: 53\n  username: \"\"\n  chroot: \"\"\n")
            .Append($"  directory: \"{dir}\"\n  pidfile: \"{dir}/unbound.pid\"\n  do-daemonize: no\n")
            .Append($"  use-syslog: no\n  logfile: \"{dir}/unbound.log\"\n  verbosity: 1\n")
            .Append("  access-control: 127.0.0.0/8 allow\n  access-control: ::1 allow\n")
            .Append("  module-config: \"iterator\"\n  do-not-query-localhost: no\n");
        foreach (var z in zones)
        {
            conf.Append($"  local-zone: \"{z}\" static\n");
        }

        foreach (var r in records)
        {
            conf.Append($"  local-data: \"{r}\"\n");
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
