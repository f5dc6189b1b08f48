// Validation of IP addresses and CIDR blocks written in the configuration.
// Behaviour reference: usr.sbin/smtpd/table.c (table_netaddr_match, parse_sockaddr), util.c (text_to_netaddr).
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Smtpd.Config;

internal static class NetAddress
{
    public static bool IsValid(string text, bool allowPrefix)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var address = slash < 0 ? text : text[..slash];
        // IPAddress.TryParse also takes "1" or "1.2" as IPv4 shorthands; the configuration never means that.
        if (address.Length == 0 || !IPAddress.TryParse(address, out var ip)
            || (ip.AddressFamily == AddressFamily.InterNetwork && address.Count(c => c == '.') != 3))
        {
            return false;
        }
        if (slash < 0)
        {
            return true;
        }
        var max = ip.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        return allowPrefix
            && int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix)
            && prefix <= max;
    }
}
