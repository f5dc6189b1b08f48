// Validation of relay URLs ("smtp+tls://label@host:port") used by relay actions.
// Behaviour reference: usr.sbin/smtpd/to.c (text_to_relayhost), smtpd.conf.5 (relay host).
using System.Globalization;

namespace Smtpd.Config;

internal static class RelayUrl
{
    /// <summary>
    /// The parts of a relay URL that <see cref="Validate"/> accepted: the scheme (lower case,
    /// "smtp" when none is written), the credentials label ("" for none), host and port (the
    /// scheme's default, 0 for lmtp, which needs one written).
    /// </summary>
    public static (string Scheme, string Label, string Host, int Port)? Parse(string url)
    {
        if (Validate(url) is not null)
        {
            return null;
        }

        string scheme = "smtp";
        string rest = url;
        int sep = url.IndexOf("://", StringComparison.Ordinal);
        if (sep >= 0)
        {
            scheme = url[..sep].ToLowerInvariant();
            rest = url[(sep + 3)..];
        }

        string label = string.Empty;
        int at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            label = rest[..at];
            rest = rest[(at + 1)..];
        }

        string host;
        string? port = null;
        if (rest.StartsWith('['))
        {
            int close = rest.IndexOf(']', StringComparison.Ordinal);
            host = rest[1..close];
            port = rest.Length > close + 1 ? rest[(close + 2)..] : null;
        }
        else
        {
            int colon = rest.IndexOf(':', StringComparison.Ordinal);
            host = colon < 0 ? rest : rest[..colon];
            port = colon < 0 ? null : rest[(colon + 1)..];
        }

        int n = port is null ? scheme switch { "smtps" => 465, "lmtp" => 0, _ => 25 } : int.Parse(port, CultureInfo.InvariantCulture);
        return (scheme, label, host, n);
    }

    private static readonly string[] Schemes = ["smtp", "smtp+tls", "smtp+notls", "smtps", "lmtp"];

    /// <summary>Null when the URL is acceptable, else what is wrong with it.</summary>
    public static string? Validate(string url)
    {
        var rest = url;
        var sep = url.IndexOf("://", StringComparison.Ordinal);
        if (sep >= 0)
        {
            var scheme = url[..sep].ToLowerInvariant();
            if (!Schemes.Contains(scheme))
            {
                return $"unknown scheme \"{scheme}\" (expected smtp, smtp+tls, smtp+notls, smtps or lmtp)";
            }
            rest = url[(sep + 3)..];
        }
        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            rest = rest[(at + 1)..];
        }
        string host;
        string? port = null;
        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return "unterminated \"[\" in address";
            }
            host = rest[1..close];
            var after = rest[(close + 1)..];
            if (after.Length > 0)
            {
                if (!after.StartsWith(':'))
                {
                    return "unexpected text after \"]\"";
                }
                port = after[1..];
            }
        }
        else
        {
            var colon = rest.IndexOf(':', StringComparison.Ordinal);
            host = colon < 0 ? rest : rest[..colon];
            port = colon < 0 ? null : rest[(colon + 1)..];
        }
        if (port is not null && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 1 or > 65535))
        {
            return $"invalid port \"{port}\" (expected 1 to 65535)";
        }
        return host.Length == 0 ? "missing host name" : null;
    }
}
