// Where an `lmtp` action delivers: an absolute path is a UNIX socket; anything else is a TCP
// destination "host", "host:port", "[address]" or "[IPv6:address]:port", port 25 when absent.
// Behaviour reference: usr.sbin/smtpd/mail.lmtp.c (lmtp_connect, lmtp_connect_inet, lmtp_connect_unix)
using System.Globalization;
using System.Text;

namespace Smtpd.Mda;

internal readonly record struct LmtpDestination(string? UnixPath, string Host, int Port)
{
    /// <summary>mail.lmtp's default service is "25", not LMTP's customary 24: a bare host means port 25.</summary>
    public const int DefaultPort = 25;

    // sun_path holds 108 bytes including the terminating NUL.
    private const int MaxUnixPathBytes = 107;

    public bool IsUnix => UnixPath is not null;

    public override string ToString() =>
        UnixPath ?? (Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}");

    /// <summary>Parses an expanded destination; on failure <paramref name="error"/> says why, in mail.lmtp's words.</summary>
    public static bool TryParse(string destination, out LmtpDestination result, out string error)
    {
        ArgumentNullException.ThrowIfNull(destination);
        result = default;
        if (destination.StartsWith('/'))
        {
            if (Encoding.UTF8.GetByteCount(destination) > MaxUnixPathBytes)
            {
                error = "unix: socket path is too long";
                return false;
            }

            result = new LmtpDestination(destination, string.Empty, 0);
            error = string.Empty;
            return true;
        }

        string host;
        string? port = null;
        if (destination.StartsWith('['))
        {
            int close = destination.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = "inet: invalid address syntax";
                return false;
            }

            host = destination[1..close];
            if (host.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
            {
                host = host[5..];
            }

            string rest = destination[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    error = "inet: invalid address syntax";
                    return false;
                }

                port = rest[1..];
            }
        }
        else
        {
            // The first colon separates the port, so a bare IPv6 address needs the brackets.
            int colon = destination.IndexOf(':', StringComparison.Ordinal);
            host = colon < 0 ? destination : destination[..colon];
            port = colon < 0 ? null : destination[(colon + 1)..];
        }

        if (host.Length == 0)
        {
            error = "inet: invalid address syntax";
            return false;
        }

        int number = DefaultPort;
        // Numeric only, as getaddrinfo with AI_NUMERICSERV: no service names.
        if (port is not null && (port.Length == 0 || !port.All(char.IsAsciiDigit)
            || !int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out number) || number > 65535))
        {
            error = $"inet: invalid port \"{port}\"";
            return false;
        }

        result = new LmtpDestination(null, host, number);
        error = string.Empty;
        return true;
    }
}
