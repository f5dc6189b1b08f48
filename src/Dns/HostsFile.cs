// /etc/hosts, consulted before any nameserver (resolv.conf's default "lookup file bind"): the
// names of loopback and local addresses come from there, as they do for OpenSMTPD's resolver,
// and cost no DNS round trip.
using System.Net;

namespace Smtpd.Dns;

internal sealed class HostsFile
{
    public const string DefaultPath = "/etc/hosts";

    private readonly Dictionary<IPAddress, string> _names = [];
    private readonly Dictionary<string, List<IPAddress>> _addresses = new(StringComparer.OrdinalIgnoreCase);

    public static HostsFile Load(string path = DefaultPath)
    {
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new HostsFile();
        }
    }

    public static HostsFile Parse(string text)
    {
        var h = new HostsFile();
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Split('#')[0].Trim();
            string[] f = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 2 || !IPAddress.TryParse(f[0], out var ip))
            {
                continue;
            }

            // The first name of the first line for an address is its canonical name.
            h._names.TryAdd(ip, f[1].ToLowerInvariant());
            foreach (string name in f.Skip(1))
            {
                if (!h._addresses.TryGetValue(name, out var list))
                {
                    h._addresses[name] = list = [];
                }

                list.Add(ip);
            }
        }

        return h;
    }

    public string? NameOf(IPAddress address) =>
        _names.TryGetValue(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, out var n) ? n : null;

    public IReadOnlyList<IPAddress> AddressesOf(string name) =>
        _addresses.TryGetValue(name.TrimEnd('.'), out var l) ? l : [];
}
