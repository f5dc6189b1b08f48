// What we accept as a DNS name: names we send in a question, and names an answer gives us to use.
// A PTR name ends up in log lines, the Received header and "from rdns" rules, so it has to be a
// host name: OpenSMTPD gets its client names from libasr, which keeps a PTR target only if
// res_hnok(3) passes it (gethostnamadr_async.c, hostent_set_cname); on Linux that res_hnok is
// glibc's. Smtp/HostNameSyntax (HELO and address domains) uses this same rule; it lives here
// because the resolver must not depend on the SMTP code.
// Behaviour reference: openbsd-compat/libasr/gethostnamadr_async.c; glibc resolv/res-name-checking.c
namespace Smtpd.Dns;

internal static class DnsName
{
    /// <summary>Longest label: 63 octets (RFC 1035 section 2.3.4).</summary>
    public const int MaxLabelLength = 63;

    /// <summary>Longest name without its trailing dot: 255 octets of wire form less the length octets.</summary>
    public const int MaxNameLength = 253;

    /// <summary>
    /// A host name as glibc's res_hnok checks it: labels of 1 to 63 letters, digits, "-" or "_",
    /// at most 253 octets, not starting with "-" (which could pass for a command-line option).
    /// Everything else fails: spaces, control characters (CR, LF), "&lt;", quotes, and the
    /// backslash escapes a resolver library writes for such octets ("\013").
    /// </summary>
    public static bool IsHostName(ReadOnlySpan<char> name) => !name.IsEmpty && name[0] != '-' && HasValidLabels(name);

    /// <summary>
    /// A name we put in a question: a host name or a service name such as _25._tcp.mx.example.org
    /// (which may start with "-" too), with or without the final dot. Anything else never leaves.
    /// </summary>
    public static bool IsQueryable(ReadOnlySpan<char> name) => HasValidLabels(name.EndsWith(".") ? name[..^1] : name);

    private static bool HasValidLabels(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > MaxNameLength)
        {
            return false;
        }

        int labelLength = 0;
        foreach (char c in name)
        {
            if (c == '.')
            {
                if (labelLength == 0)
                {
                    return false;
                }

                labelLength = 0;
                continue;
            }

            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_') || ++labelLength > MaxLabelLength)
            {
                return false;
            }
        }

        return labelLength > 0;
    }
}
