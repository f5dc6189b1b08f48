// A private network namespace for relay tests: its own loopback (every 127.x.y.z address and
// any IPv6 address added to lo), its own port 25, no route anywhere else. Peers, the DNS server
// and the daemon under test run inside it (`ip netns exec` or nsenter); the test talks to them
// through programs run inside it too. Needs root and iproute2.
using System.Diagnostics;

namespace Smtpd.Tests.TestSupport;

internal sealed class NetNs : IDisposable
{
    private readonly List<Process> _processes = [];

    public NetNs()
    {
        Name = "smtpd-" + Guid.NewGuid().ToString("N")[..10];
        Check(Binary.Run("ip", ["netns", "add", Name]));
        Check(Binary.Run("ip", ["-n", Name, "link", "set", "lo", "up"]));
    }

    public string Name { get; }

    /// <summary>The namespace's file, for nsenter --net=.</summary>
    public string Path => "/run/netns/" + Name;

    /// <summary>Why relay tests cannot run here, or null: root and ip(8) with network namespaces.</summary>
    public static string? SkipReason =>
        EndToEndFactAttribute.SkipReason(needsRoot: true)
        ?? (File.Exists("/usr/sbin/ip") || File.Exists("/sbin/ip") || File.Exists("/usr/bin/ip") ? null : "needs ip(8) from iproute2 for a private network namespace");

    /// <summary>An IPv6 address of this namespace's own (on lo).</summary>
    public void AddAddress(string cidr) => Check(Binary.Run("ip", ["-n", Name, "addr", "add", cidr, "dev", "lo", "nodad"]));

    /// <summary>Runs a program inside the namespace to completion.</summary>
    public (int Code, string Out, string Err) Run(string file, IEnumerable<string> args, TimeSpan? timeout = null, string? stdin = null) =>
        Binary.Run("ip", ["netns", "exec", Name, file, .. args], timeout: timeout, stdin: stdin);

    /// <summary>Starts a long-running program inside the namespace, killed at Dispose; its output goes to <paramref name="log"/>.</summary>
    public Process Start(string file, IEnumerable<string> args, string log)
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        // exec: the shell becomes ip, which becomes the program, so the pid we kill is the program's.
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec \"$@\" >>\"$0\" 2>&1");
        psi.ArgumentList.Add(log);
        foreach (var a in new[] { "ip", "netns", "exec", Name, file }.Concat(args))
        {
            psi.ArgumentList.Add(a);
        }

        var p = Process.Start(psi)!;
        _processes.Add(p);
        return p;
    }

    public void Dispose()
    {
        foreach (var p in _processes)
        {
            try
            {
                if (!p.HasExited)
                {
                    p.Kill(true);
                    p.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
                // Gone already.
            }

            p.Dispose();
        }

        Binary.Run("ip", ["netns", "del", Name]);
    }

    private static void Check((int Code, string Out, string Err) r)
    {
        if (r.Code != 0)
        {
            throw new InvalidOperationException("ip: " + r.Err);
        }
    }
}
