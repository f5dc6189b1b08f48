// /etc/resolv.conf as the stub resolver uses it: nameservers (at most three, as glibc), and
// the timeout and attempts options. Missing file or no nameserver → 127.0.0.1, like libc.
using System.Globalization;
using System.Net;

namespace Smtpd.Dns;

internal sealed record ResolvConf(IReadOnlyList<IPEndPoint> Nameservers, TimeSpan Timeout, int Attempts)
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
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            string[] words = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (words[0] == "nameserver" && words.Length > 1 && servers.Count < 3 && IPAddress.TryParse(words[1].Split('%')[0], out var ip))
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
                }
            }
        }

        if (servers.Count == 0)
        {
            servers.Add(new IPEndPoint(IPAddress.Loopback, 53));
        }

        return new ResolvConf(servers, TimeSpan.FromSeconds(timeout), attempts);
    }
}
