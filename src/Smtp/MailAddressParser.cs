// The path syntax OpenSMTPD accepts in MAIL FROM and RCPT TO, which is narrower and looser than
// RFC 5321 in specific ways: the path runs from "<" to the first ">"; the address is split at the
// last "@"; a source route (anything up to the first ":" of the user part) is dropped; the local
// part must be dot-separated atoms (quoted strings are refused); a missing domain means a local
// user and gets the server's name; the domain is a host name (glibc's res_hnok, see
// HostNameSyntax) or an address literal.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (smtp_mailaddr), usr.sbin/smtpd/to.c
// (text_to_mailaddr), usr.sbin/smtpd/util.c (valid_localpart, valid_domainpart, valid_xtext)
using System.Net;
using System.Net.Sockets;

namespace Smtpd.Smtp;

internal static class MailAddressParser
{
    /// <summary>SMTPD_MAXLOCALPARTSIZE and SMTPD_MAXDOMAINPARTSIZE, both 255 + NUL.</summary>
    public const int MaxPartLength = 255;

    /// <summary>LINE_MAX: the whole path between the brackets must be shorter.</summary>
    public const int MaxPathLength = 2047;

    private const string AtextSpecials = "!#$%&'*/?^`{|}~+-=_";

    /// <summary>
    /// Parses "&lt;path&gt; parameters". On success <paramref name="parameters"/> is what follows the
    /// closing bracket, leading spaces skipped.
    /// </summary>
    /// <remarks>
    /// Accepted (OpenSMTPD's reading of RFC 5321 section 4.1.2):
    /// <code>
    /// Path         = "&lt;" [ route ":" ] mailbox-text "&gt;" *SP parameters
    ///                ; route is any text up to the first ":" of the user part and is dropped
    /// mailbox-text = [ Local-part ] [ "@" [ Domain ] ]   ; split at the LAST "@"
    /// Local-part   = Dot-string                           ; Quoted-string is refused
    /// Dot-string   = Atom *("." Atom)
    /// Atom         = 1*atext                              ; ALPHA / DIGIT / "!#$%&amp;'*/?^`{|}~+-=_"
    /// Domain       = hostname / address-literal           ; hostname per HostNameSyntax, no trailing "."
    /// address-literal = "[" ( IPv4 / "IPv6:" IPv6 / IPv6 ) "]"
    /// </code>
    /// The empty path ("&lt;&gt;", also "&lt;@&gt;") is accepted only when <paramref name="allowNull"/>
    /// (MAIL FROM). A missing domain is replaced with <paramref name="localDomain"/>.
    /// </remarks>
    public static bool TryParsePath(string? text, bool allowNull, string localDomain, out MailAddress address, out string parameters)
    {
        address = default;
        parameters = string.Empty;
        if (string.IsNullOrEmpty(text) || text[0] != '<')
        {
            return false;
        }

        int close = text.IndexOf('>', StringComparison.Ordinal);
        if (close < 0)
        {
            return false;
        }

        int rest = close + 1;
        while (rest < text.Length && text[rest] == ' ')
        {
            rest++;
        }

        parameters = text[rest..];
        if (!TrySplit(text.AsSpan(1, close - 1), out string user, out string domain))
        {
            return false;
        }

        int route = user.IndexOf(':', StringComparison.Ordinal);
        if (route >= 0)
        {
            user = user[(route + 1)..];
        }

        if (allowNull && user.Length == 0 && domain.Length == 0)
        {
            address = MailAddress.Null;
            return true;
        }

        if (user.Length == 0 || !IsValidLocalPart(user))
        {
            return false;
        }

        if (domain.Length == 0)
        {
            domain = localDomain;
        }

        if (!IsValidDomainPart(domain))
        {
            return false;
        }

        address = new MailAddress(user, domain);
        return true;
    }

    /// <summary>Splits at the last "@" with OpenSMTPD's size limits.</summary>
    /// <remarks><code>mailaddr = user / "@" domain / user "@" domain   ; each part at most 255 octets</code></remarks>
    public static bool TrySplit(ReadOnlySpan<char> text, out string user, out string domain)
    {
        user = string.Empty;
        domain = string.Empty;
        if (text.Length > MaxPathLength)
        {
            return false;
        }

        int at = text.LastIndexOf('@');
        ReadOnlySpan<char> u = at < 0 ? text : text[..at];
        ReadOnlySpan<char> d = at < 0 ? default : text[(at + 1)..];
        if (u.Length > MaxPartLength || d.Length > MaxPartLength)
        {
            return false;
        }

        user = u.ToString();
        domain = d.ToString();
        return true;
    }

    /// <remarks><code>Local-part = Atom *("." Atom) ; Atom = 1*(ALPHA / DIGIT / "!#$%&amp;'*/?^`{|}~+-=_")</code></remarks>
    public static bool IsValidLocalPart(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }

        bool atomStart = true;
        foreach (char c in s)
        {
            if (c == '.' && !atomStart)
            {
                atomStart = true;
                continue;
            }

            if (!IsAtext(c))
            {
                return false;
            }

            atomStart = false;
        }

        return !atomStart;
    }

    /// <remarks>
    /// <code>
    /// Domain = "[" ( ["IPv6:"] IPv6-addr / IPv4-addr ) "]"   ; the prefix is matched case-insensitively
    ///        / hostname                                       ; see HostNameSyntax, no trailing "."
    /// </code>
    /// </remarks>
    public static bool IsValidDomainPart(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }

        if (s[0] == '[')
        {
            ReadOnlySpan<char> inner = s.Length >= 6 && s[..6].Equals("[IPv6:", StringComparison.OrdinalIgnoreCase) ? s[6..] : s[1..];
            if (inner.Length > MaxPartLength || inner.IsEmpty || inner[^1] != ']')
            {
                return false;
            }

            inner = inner[..^1];
            if (inner.Contains(']'))
            {
                return false;
            }

            return IsInetAddress(inner);
        }

        return HostNameSyntax.IsValid(s);
    }

    /// <summary>RFC 3461 xtext as OpenSMTPD checks it: printable ASCII except "=", with "+XX" hex escapes.</summary>
    /// <remarks><code>xtext = *( %d33-42 / %d44-60 / %d62-126 / "+" 2(DIGIT / %x41-46) )</code></remarks>
    public static bool IsValidXtext(ReadOnlySpan<char> s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c < '!' || c > '~' || c == '=')
            {
                return false;
            }

            if (c != '+')
            {
                continue;
            }

            if (i + 2 >= s.Length)
            {
                return false;
            }

            if (!IsUpperHex(s[i + 1]) || !IsUpperHex(s[i + 2]))
            {
                return false;
            }

            i += 2;
        }

        return true;
    }

    private static bool IsUpperHex(char c) => char.IsAsciiDigit(c) || (c >= 'A' && c <= 'F');

    private static bool IsAtext(char c) => char.IsAsciiLetterOrDigit(c) || AtextSpecials.Contains(c, StringComparison.Ordinal);

    private static bool IsInetAddress(ReadOnlySpan<char> s)
    {
        // inet_pton accepts only the plain numeric forms: no zone index, no prefix length.
        if (s.IsEmpty || s.ContainsAny('%', '/'))
        {
            return false;
        }

        if (!IPAddress.TryParse(s, out IPAddress? ip))
        {
            return false;
        }

        return ip.AddressFamily == AddressFamily.InterNetworkV6 || IsDottedQuad(s);
    }

    private static bool IsDottedQuad(ReadOnlySpan<char> s)
    {
        // IPAddress.TryParse also takes "1", "1.2" and hex parts; inet_pton(AF_INET) wants a.b.c.d.
        // inet_pton also refuses leading zeros, which .NET would read as octal.
        int parts = 0;
        int digits = 0;
        char previous = '.';
        foreach (char c in s)
        {
            if (c == '.')
            {
                if (digits == 0)
                {
                    return false;
                }

                parts++;
                digits = 0;
            }
            else if (char.IsAsciiDigit(c) && digits < 3 && !(digits == 1 && previous == '0'))
            {
                digits++;
            }
            else
            {
                return false;
            }

            previous = c;
        }

        return parts == 3 && digits > 0;
    }
}
