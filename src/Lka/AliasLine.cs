// Reads the entries of an alias value, an :include: file or a ~/.forward: comma-separated items
// (quotes keep commas, a backslash escapes one character), each a user, an address, a |command,
// a /file, an :include:/file or an error:code text.
// Behaviour reference: usr.sbin/smtpd/expand.c expand_line(), to.c text_to_expandnode(), forward.c.
using System.Text;

namespace Smtpd.Lka;

internal static class AliasLine
{
    /// <summary>The longest line OpenSMTPD accepts (LINE_MAX).</summary>
    public const int LineMax = 2048;

    /// <summary>The entries of <paramref name="line"/>, or null when it does not parse (unbalanced quotes, an unknown item).</summary>
    public static List<ExpandNode>? Parse(string line, bool includes)
    {
        if (line.Length >= LineMax)
        {
            return null;
        }

        var items = SplitList(line);
        if (items is null)
        {
            return null;
        }

        var nodes = new List<ExpandNode>();
        foreach (string item in items)
        {
            if (!Add(item, includes, nodes))
            {
                return null;
            }
        }

        return nodes;
    }

    /// <summary>
    /// The comma-separated items of <paramref name="line"/> as written (not trimmed; quotes keep
    /// commas and stay in the item, a backslash escapes the next character and is removed), or
    /// null when the list is malformed: an open quote or a trailing backslash (expand_line and
    /// mailaddr_line split alike).
    /// </summary>
    public static List<string>? SplitList(string line)
    {
        var items = new List<string>();
        var item = new StringBuilder();
        bool escaped = false, dq = false, sq = false;
        foreach (char c in line)
        {
            if (escaped)
            {
                item.Append(c);
                escaped = false;
                continue;
            }

            if (c == '\\')
            {
                escaped = true;
                continue;
            }

            if (c == ',' && !dq && !sq)
            {
                items.Add(item.ToString());
                item.Clear();
                continue;
            }

            item.Append(c);
            if (c == '"' && !sq)
            {
                dq = !dq;
            }
            else if (c == '\'' && !dq)
            {
                sq = !sq;
            }
        }

        if (escaped || dq || sq)
        {
            return null;
        }

        items.Add(item.ToString());
        return items;
    }

    /// <summary>
    /// The logical lines of a .forward or include file: '#' starts a comment unless escaped, a
    /// trailing backslash joins the next line (escapes stay for <see cref="Parse"/> to remove).
    /// </summary>
    public static IEnumerable<string> Lines(string text)
    {
        var current = new StringBuilder();
        foreach (string raw in text.Split('\n'))
        {
            string physical = raw.TrimEnd('\r');
            int cut = physical.Length;
            for (int i = 0; i < physical.Length; i++)
            {
                if (physical[i] == '\\')
                {
                    i++;
                }
                else if (physical[i] == '#')
                {
                    cut = i;
                    break;
                }
            }

            string body = physical[..cut];
            if (cut == physical.Length && body.EndsWith('\\') && !body.EndsWith(@"\\", StringComparison.Ordinal))
            {
                current.Append(body, 0, body.Length - 1);
                continue;
            }

            current.Append(body);
            yield return current.ToString();
            current.Clear();
        }

        if (current.Length > 0)
        {
            yield return current.ToString();
        }
    }

    private static bool Add(string raw, bool includes, List<ExpandNode> into)
    {
        string s = raw.Trim();
        if (s.Length == 0)
        {
            return true;
        }

        var node = ToNode(s);
        if (node is null)
        {
            return false;
        }

        if (node.Kind != ExpandNodeKind.Include || includes)
        {
            into.Add(node);
        }

        return true;
    }

    /// <summary>One item: the first reading that fits, in OpenSMTPD's order.</summary>
    public static ExpandNode? ToNode(string s)
    {
        if (s.Length == 0)
        {
            return null;
        }

        if (TryError(s, out string? error))
        {
            return new ExpandNode(ExpandNodeKind.Error, error);
        }

        if (TryPrefix(s, ":include:", "include:", out string? file) && file.StartsWith('/'))
        {
            return new ExpandNode(ExpandNodeKind.Include, file);
        }

        if (TryFilter(s, out string? command))
        {
            return new ExpandNode(ExpandNodeKind.Filter, command);
        }

        if (s[0] == '/')
        {
            return new ExpandNode(ExpandNodeKind.Filename, s);
        }

        if (IsAddress(s))
        {
            return new ExpandNode(ExpandNodeKind.Address, s);
        }

        return s.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' or '+')
            ? new ExpandNode(ExpandNodeKind.Username, s.ToLowerInvariant())
            : null;
    }

    private static bool TryPrefix(string s, string full, string abbreviated, out string rest)
    {
        rest = s.StartsWith(full, StringComparison.OrdinalIgnoreCase) ? s[full.Length..]
            : s.StartsWith(abbreviated, StringComparison.OrdinalIgnoreCase) ? s[abbreviated.Length..]
            : string.Empty;
        return rest.Length > 0;
    }

    /// <summary>"error:" then "[45]NN text": the reply to give instead of delivering.</summary>
    private static bool TryError(string s, out string reply)
    {
        return TryPrefix(s, ":error:", "error:", out reply) && reply.Length >= 5 && reply[0] is '4' or '5'
            && char.IsAsciiDigit(reply[1]) && char.IsAsciiDigit(reply[2]) && reply[3] == ' ' && char.IsAsciiLetterOrDigit(reply[4]);
    }

    /// <summary>"|command" or "\"|command\"": the quotes let the command hold commas and spaces.</summary>
    private static bool TryFilter(string s, out string command)
    {
        command = string.Empty;
        bool quoted = s[0] == '"';
        int start = quoted ? 1 : 0;
        if (s.Length <= start || s[start] != '|')
        {
            return false;
        }

        command = s[(start + 1)..];
        if (quoted)
        {
            if (command.Length == 0 || command[^1] != '"')
            {
                return false;
            }

            command = command[..^1];
        }

        return command.Length > 0;
    }

    private static bool IsAddress(string s)
    {
        int at = s.IndexOf('@', StringComparison.Ordinal);
        if (s.Length < 3 || at <= 0 || at == s.Length - 1)
        {
            return false;
        }

        const string LocalExtra = "!#$%*/?|^{}`~&'+-=_.";
        return s[..at].All(c => char.IsAsciiLetterOrDigit(c) || LocalExtra.Contains(c, StringComparison.Ordinal))
            && s[(at + 1)..].All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.');
    }
}
