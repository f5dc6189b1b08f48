// /etc/resolv.conf as the stub resolver uses it, read once when the lookup role starts:
// nameservers (at most three, as glibc; 0.0.0.0 and :: are skipped), and the options timeout:
// (seconds per try), attempts: (rounds over the list) and trust-ad (believe the AD bit: the
// nameserver is a validating resolver reached over a path we trust, usually on this host).
// Missing file or no usable nameserver → 127.0.0.1, like libc. "search" and "domain" are not read: every name we look up
// (MX domains, MX hosts, PTR names, TLSA and TXT names) is already fully qualified, so it is
// sent as it is, never with a search domain appended; "ndots" and "rotate" do not apply either.
using System.Globalization;
using System.Net;

namespace Smtpd.Dns;

internal sealed record ResolvConf(IReadOnlyList<IPEndPoint> Nameservers, TimeSpan Timeout, int Attempts, bool TrustAd = false)
{
    public const string DefaultPath = "/etc/resolv.conf";

    public static ResolvConf Load(string path = DefaultPath)
    {
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Parse(string.Empty);
        }
    }

    public static ResolvConf Parse(string text)
    {
        var servers = new List<IPEndPoint>();
        int timeout = 5;
        int attempts = 2;
        bool trustAd = false;
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            string[] words = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words[0] == "nameserver" && words.Length > 1 && servers.Count < 3 && IPAddress.TryParse(words[1].Split('%')[0], out var ip)
                && !ip.Equals(IPAddress.Any) && !ip.Equals(IPAddress.IPv6Any))
            {
                servers.Add(new IPEndPoint(ip, 53));
            }
            else if (words[0] == "options")
            {
                foreach (string opt in words.Skip(1))
                {
                    if (opt.StartsWith("timeout:", StringComparison.Ordinal) && int.TryParse(opt[8..], NumberStyles.None, CultureInfo.InvariantCulture, out int t))
                    {
                        timeout = Math.Clamp(t, 1, 30);
                    }
                    else if (opt.StartsWith("attempts:", StringComparison.Ordinal) && int.TryParse(opt[9..], NumberStyles.None, CultureInfo.InvariantCulture, out int a))
                    {
                        attempts = Math.Clamp(a, 1, 5);
                    }
                    else if (opt == "trust-ad")
                    {
                        trustAd = true;
                    }
                }
            }
        }

        if (servers.Count == 0)
        {
            servers.Add(new IPEndPoint(IPAddress.Loopback, 53));
        }

        return new ResolvConf(servers, TimeSpan.FromSeconds(timeout), attempts, trustAd);
    }
}
