// What OpenSMTPD does to the To, Cc and From headers of every message it receives: an address
// without a domain gets "@" and the listener's hostname, and on masquerading listeners an
// authenticated sender's From address becomes the envelope sender. The scanning rules, quirks
// included (a backslash only protects the next parenthesis or quote; unparsable values are left
// alone), are OpenSMTPD's, because the result is visible in every delivered message.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (header_domain_append_callback,
// header_append_domain_buffer, header_address_rewrite_buffer)
using System.Text;

namespace Smtpd.Smtp;

internal static class HeaderAddressRewriter
{
    /// <summary>APPEND_DOMAIN_BUFFER_SIZE, which is SMTP_LINE_MAX.</summary>
    private const int BufferSize = 65535;

    /// <summary>
    /// The header as it will be stored: "Name:" followed by the unfolded value (continuation lines
    /// joined with "\n", leading whitespace kept) with every comma-separated address rewritten,
    /// and a final "\n".
    /// </summary>
    public static string Rewrite(string name, string value, string domain, string? masquerade)
    {
        var output = new StringBuilder(name.Length + value.Length + domain.Length + 8).Append(name).Append(':');
        var buffer = new StringBuilder();
        bool escape = false;
        bool quote = false;
        bool skip = false;
        int comment = 0;
        foreach (string line in value.Split('\n'))
        {
            foreach (char c in line)
            {
                Scan(c, ref escape, ref quote, ref comment, protectInQuote: false);
                if (c == ',' && !escape && !quote && comment == 0)
                {
                    if (!skip && buffer.Length + domain.Length + 1 < BufferSize)
                    {
                        Fix(buffer, domain, name, masquerade);
                    }

                    output.Append(buffer).Append(',');
                    buffer.Clear();
                    skip = false;
                }
                else if (skip)
                {
                    output.Append(c);
                }
                else
                {
                    Add(buffer, c, output, ref skip);
                }
            }

            if (skip)
            {
                output.Append('\n');
            }
            else
            {
                Add(buffer, '\n', output, ref skip);
            }
        }

        if (buffer.Length > 0)
        {
            if (buffer.Length + domain.Length + 1 < BufferSize)
            {
                Fix(buffer, domain, name, masquerade);
            }

            output.Append(buffer);
        }

        return output.ToString();
    }

    /// <summary>Appends "@domain" to an address that has none; returns it unchanged otherwise.</summary>
    public static string AppendDomain(string buffer, string domain)
    {
        bool escape = false;
        bool quote = false;
        int comment = 0;
        int bracket = 0;
        bool hasDomain = false;
        bool hasBracket = false;
        bool hasGroup = false;
        int closeBracket = 0;
        int lastComponent = 0;
        for (int i = 0; i < buffer.Length; i++)
        {
            char c = buffer[i];
            Scan(c, ref escape, ref quote, ref comment, protectInQuote: true);
            bool plain = !escape && comment == 0 && !quote;
            if (c == '<' && plain && bracket == 0)
            {
                bracket++;
                hasBracket = true;
            }

            if (c == '>' && plain && bracket > 0)
            {
                bracket--;
                closeBracket = i;
            }

            hasDomain |= c == '@' && plain;
            hasGroup |= c == ':' && plain;
            if (comment == 0 && c != ')' && !SmtpCommandTable.IsCSpace(c))
            {
                lastComponent = i;
            }
        }

        if (escape || quote || comment > 0 || bracket > 0 || hasDomain || hasGroup)
        {
            return buffer;
        }

        int insert;
        if (hasBracket)
        {
            int p = closeBracket - 1;
            while (SmtpCommandTable.IsCSpace(buffer[p]))
            {
                p--;
            }

            if (buffer[p] == '<')
            {
                return buffer;
            }

            insert = p + 1;
        }
        else
        {
            if (buffer.Length == 0 || SmtpCommandTable.IsCSpace(buffer[lastComponent]))
            {
                return buffer;
            }

            insert = lastComponent + 1;
        }

        string result = string.Concat(buffer.AsSpan(0, insert), "@", domain, buffer.AsSpan(insert));
        return result.Length >= BufferSize ? buffer : result;
    }

    /// <summary>Replaces the address in a From value with <paramref name="address"/> (masquerading).</summary>
    public static string ReplaceAddress(string buffer, string address)
    {
        bool escape = false;
        bool quote = false;
        int comment = 0;
        int bracket = 0;
        bool hasBracket = false;
        bool hasGroup = false;
        int bracketBegin = 0;
        int bracketEnd = 0;
        int componentEnd = 0;
        for (int i = 0; i < buffer.Length; i++)
        {
            char c = buffer[i];
            Scan(c, ref escape, ref quote, ref comment, protectInQuote: true);
            bool plain = !escape && comment == 0 && !quote;
            if (c == '<' && plain && bracket == 0)
            {
                bracket++;
                hasBracket = true;
                bracketBegin = i + 1;
            }

            if (c == '>' && plain && bracket > 0)
            {
                bracket--;
                bracketEnd = i;
            }

            hasGroup |= c == ':' && plain;
            if (comment == 0 && c != ')' && !SmtpCommandTable.IsCSpace(c))
            {
                componentEnd = i;
            }
        }

        if (escape || quote || comment > 0 || bracket > 0 || hasGroup)
        {
            return buffer;
        }

        int begin;
        int end;
        if (hasBracket)
        {
            (begin, end) = (bracketBegin, bracketEnd);
        }
        else if (componentEnd == 0)
        {
            (begin, end) = (0, 0);
        }
        else
        {
            begin = componentEnd;
            while (begin >= 0 && buffer[begin] != ')' && !SmtpCommandTable.IsCSpace(buffer[begin]))
            {
                begin--;
            }

            (begin, end) = (begin + 1, componentEnd + 1);
        }

        if (buffer.Length - (end - begin) + address.Length >= BufferSize)
        {
            return buffer;
        }

        return string.Concat(buffer.AsSpan(0, begin), address, buffer.AsSpan(end));
    }

    /// <summary>
    /// Comment, quote and escape tracking. The address scanners do not start an escape inside
    /// quotes; the splitter at commas does.
    /// </summary>
    private static void Scan(char c, ref bool escape, ref bool quote, ref int comment, bool protectInQuote)
    {
        if (c == '(' && !escape && !quote)
        {
            comment++;
        }

        if (c == '"' && !escape && comment == 0)
        {
            quote = !quote;
        }

        if (c == ')' && !escape && !quote && comment > 0)
        {
            comment--;
        }

        escape = c == '\\' && !escape && comment == 0 && (!protectInQuote || !quote);
    }

    private static void Fix(StringBuilder buffer, string domain, string name, string? masquerade)
    {
        string fixedUp = AppendDomain(buffer.ToString(), domain);
        if (masquerade is not null && name.Equals("From", StringComparison.OrdinalIgnoreCase))
        {
            fixedUp = ReplaceAddress(fixedUp, masquerade);
        }

        buffer.Clear().Append(fixedUp);
    }

    private static void Add(StringBuilder buffer, char c, StringBuilder output, ref bool skip)
    {
        buffer.Append(c);
        if (buffer.Length == BufferSize - 1)
        {
            // An address this long is passed through untouched, as OpenSMTPD does.
            output.Append(buffer);
            buffer.Clear();
            skip = true;
        }
    }
}
