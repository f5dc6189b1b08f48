// How a key matches a table entry for each service, as OpenSMTPD compares them: domains with
// '*' wildcards, addresses by user and domain with sub-address tags ignored unless the entry
// has one, network addresses by CIDR, regexes (a leading "(?i)" makes them case-insensitive).
// Behaviour reference: usr.sbin/smtpd/table.c, util.c hostname_match(), mailaddr_match().
using System.Net;
using System.Text.RegularExpressions;
using Smtpd.Runtime;

namespace Smtpd.Tables;

internal static class KeyMatch
{
    /// <summary>How long one pattern may search one key before the lookup fails temporarily.</summary>
    public static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);

    /// <summary>hostname_match: '*' matches any run of characters up to the next pattern character.</summary>
    public static bool Domain(string hostname, string pattern)
    {
        int h = 0;
        int p = 0;
        while (p < pattern.Length && h < hostname.Length)
        {
            if (pattern[p] == '*')
            {
                while (p < pattern.Length && pattern[p] == '*')
                {
                    p++;
                }

                char next = p < pattern.Length ? char.ToLowerInvariant(pattern[p]) : '\0';
                while (h < hostname.Length && char.ToLowerInvariant(hostname[h]) != next)
                {
                    h++;
                }

                continue;
            }

            if (char.ToLowerInvariant(pattern[p]) != char.ToLowerInvariant(hostname[h]))
            {
                return false;
            }

            p++;
            h++;
        }

        return h == hostname.Length && p == pattern.Length;
    }

    /// <summary>mailaddr_match: "user@domain", "@domain" or "user" entries; an empty entry matches all.</summary>
    public static bool Mailaddr(string address, string entry, char subAddressDelimiter = '+')
    {
        var (user, domain) = Split(address);
        var (entryUser, entryDomain) = Split(entry);
        if (entryUser.Length == 0 && entryDomain.Length == 0)
        {
            return true;
        }

        if (entryDomain.Length > 0 && !Domain(domain, entryDomain))
        {
            return false;
        }

        if (entryUser.Length > 0)
        {
            if (!entryUser.Contains(subAddressDelimiter, StringComparison.Ordinal))
            {
                int tag = user.IndexOf(subAddressDelimiter, StringComparison.Ordinal);
                if (tag >= 0)
                {
                    user = user[..tag];
                }
            }

            if (!string.Equals(user, entryUser, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>table_netaddr_match: equal text ("local"), or an address inside the entry's CIDR block.</summary>
    public static bool Netaddr(string address, string entry)
    {
        if (string.Equals(address, entry, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (!TryParseNet(address, out var ip, out _) || !TryParseNet(entry, out var net, out int bits))
        {
            return false;
        }

        if (ip.AddressFamily != net.AddressFamily)
        {
            return false;
        }

        byte[] a = ip.GetAddressBytes();
        byte[] n = net.GetAddressBytes();
        for (int i = 0; i < a.Length && bits > 0; i++, bits -= 8)
        {
            int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if ((a[i] & mask) != (n[i] & mask))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>table_regex_match: an extended regex, searched anywhere in the key; a bad pattern never matches.</summary>
    public static bool Regex(string key, string pattern) => RegexResult(key, pattern) == MatchResult.Match;

    /// <summary>
    /// table_regex_match, tri-state: a pattern that runs out of time is a temporary failure, never
    /// "no match": a slow pattern in a reject list must defer the mail, not let it through.
    /// </summary>
    public static MatchResult RegexResult(string key, string pattern, TimeSpan? timeout = null)
    {
        var options = RegexOptions.CultureInvariant;
        if (pattern.StartsWith("(?i)", StringComparison.Ordinal))
        {
            options |= RegexOptions.IgnoreCase;
            pattern = pattern[4..];
        }

        try
        {
            return System.Text.RegularExpressions.Regex.IsMatch(key, pattern, options, timeout ?? RegexTimeout) ? MatchResult.Match : MatchResult.NoMatch;
        }
        catch (RegexMatchTimeoutException)
        {
            Log.Warn($"warn: table: regex \"{pattern}\" ran out of time ({(timeout ?? RegexTimeout).TotalSeconds:0.###}s) on a key of {key.Length} characters: lookup failed temporarily");
            return MatchResult.TempFail;
        }
        catch (ArgumentException)
        {
            return MatchResult.NoMatch;
        }
    }

    private static (string User, string Domain) Split(string address)
    {
        int at = address.LastIndexOf('@');
        return at < 0 ? (address, string.Empty) : (address[..at], address[(at + 1)..]);
    }

    private static bool TryParseNet(string text, out IPAddress address, out int bits)
    {
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        string host = slash < 0 ? text : text[..slash];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        if (!IPAddress.TryParse(host, out address!))
        {
            bits = 0;
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        int max = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        bits = max;
        return slash < 0 || (int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out bits) && bits <= max);
    }
}
