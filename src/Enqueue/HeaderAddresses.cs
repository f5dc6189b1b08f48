// The addresses in a From, To, Cc or Bcc header value: "Name <a@b>, c@d (comment), group: e@f;"
// gives a@b, c@d and e@f. Display names, comments and group names are dropped; quoted strings
// are kept as written, since they may be part of a local part. An unbalanced quote, comment or
// bracket is a syntax error, as enqueue.c's parse_addr_terminal() reports it.
// Behaviour reference: usr.sbin/smtpd/enqueue.c parse_addr().
using System.Text;

namespace Smtpd.Enqueue;

internal static class HeaderAddresses
{
    /// <summary>The addr-specs in <paramref name="value"/> (the unfolded header body), or null on a syntax error.</summary>
    public static List<string>? Parse(string value)
    {
        var result = new List<string>();
        var item = new StringBuilder();
        string? angle = null;
        var inAngle = new StringBuilder();
        bool quoted = false;
        bool escaped = false;
        bool bracket = false;
        int comment = 0;

        void EndItem()
        {
            string address = angle ?? item.ToString();
            if (address.Length > 0)
            {
                result.Add(address);
            }

            item.Clear();
            angle = null;
        }

        foreach (char c in value)
        {
            var into = bracket ? inAngle : item;
            if (escaped)
            {
                into.Append(c);
                escaped = false;
                continue;
            }

            if (c == '\\' && (quoted || comment > 0))
            {
                escaped = true;
                if (quoted)
                {
                    into.Append(c);
                }

                continue;
            }

            if (comment > 0)
            {
                comment += c == '(' ? 1 : c == ')' ? -1 : 0;
                continue;
            }

            if (quoted)
            {
                into.Append(c);
                quoted = c != '"';
                continue;
            }

            switch (c)
            {
                case '"':
                    into.Append(c);
                    quoted = true;
                    break;
                case '(':
                    comment = 1;
                    break;
                case '<' when !bracket:
                    bracket = true;
                    inAngle.Clear();
                    break;
                case '>' when bracket:
                    bracket = false;
                    angle = StripRoute(inAngle.ToString());
                    break;
                case ':' when !bracket:
                    // A group's name (or what precedes a source route): what came before is no address.
                    item.Clear();
                    break;
                case ',' or ';' when !bracket:
                    EndItem();
                    break;
                case ' ' or '\t' or '\r' or '\n':
                    break;
                default:
                    into.Append(c);
                    break;
            }
        }

        if (quoted || escaped || comment > 0 || bracket)
        {
            return null;
        }

        EndItem();
        return result;
    }

    // "<@relay1,@relay2:user@host>": an obsolete source route; the address is after the colon.
    private static string StripRoute(string address)
    {
        if (address.StartsWith('@'))
        {
            int colon = address.IndexOf(':', StringComparison.Ordinal);
            return colon >= 0 ? address[(colon + 1)..] : address;
        }

        return address;
    }
}
