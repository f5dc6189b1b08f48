// The client address field of an envelope: "local", a dotted-quad IPv4 address, or an IPv6
// address in brackets (optionally with a %scope). Kept as text so a file reads back byte-for-byte.
// Behaviour reference: usr.sbin/smtpd/envelope.c (ascii_load_sockaddr), to.c (sa_to_text).
using System.Net;
using System.Net.Sockets;

namespace Smtpd.Queue;

internal static class EnvelopeSockAddr
{
    public const string Local = "local";

    /// <summary>The stored text for a peer; null means a UNIX-domain (local) client.</summary>
    public static string FromAddress(IPAddress? address)
    {
        if (address is null)
        {
            return Local;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + address + "]" : address.ToString();
    }

    /// <summary>Whether the loader would accept <paramref name="text"/> (inet_pton for IPv4, numeric getaddrinfo for IPv6).</summary>
    public static bool IsValid(string text)
    {
        if (text == Local)
        {
            return true;
        }

        if (text.Length >= 2 && text[0] == '[' && text[^1] == ']')
        {
            string inner = text[1..^1];
            int pct = inner.IndexOf('%', StringComparison.Ordinal);
            if (pct >= 0)
            {
                string scope = inner[(pct + 1)..];
                if (scope.Length == 0 || !scope.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
                {
                    return false;
                }

                inner = inner[..pct];
            }

            return inner.Length != 0 && inner.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.')
                && IPAddress.TryParse(inner, out var a) && a.AddressFamily == AddressFamily.InterNetworkV6;
        }

        return IsDottedQuad(text);
    }

    // inet_pton(AF_INET): exactly four decimal parts of 0-255, no leading zeros, nothing else.
    private static bool IsDottedQuad(string text)
    {
        string[] parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        foreach (string p in parts)
        {
            if (p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit) || (p.Length > 1 && p[0] == '0') || int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) > 255)
            {
                return false;
            }
        }

        return true;
    }
}
