// The text format of file: tables (table(5)): one key per line for a list, "key value" (or
// "key: value") for a map, '#' comments, "# @list" forcing a list, "[key with spaces]" keys.
// The first entry decides list or map; a map line without a value is malformed.
// Behaviour reference: usr.sbin/smtpd/util.c parse_table_line(), table_static.c.
namespace Smtpd.Tables;

internal static class TableFile
{
    /// <summary>
    /// Parses the file's text; returns the entries, or the 1-based line of the first malformed one.
    /// <paramref name="isList"/> forces a kind (makemap: a set is a list, anything else a map).
    /// </summary>
    public static (List<(string Key, string? Value)> Entries, int MalformedLine) Parse(string text, bool? isList = null)
    {
        var entries = new List<(string, string?)>();
        int lineNo = 0;
        foreach (string raw in text.Split('\n'))
        {
            lineNo++;
            string line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (line[0] == '#')
            {
                if (isList is null && line[1..].Trim() == "@list")
                {
                    isList = true;
                }

                continue;
            }

            int valueStart;
            if (line[0] == '[')
            {
                int close = line.IndexOf(']', StringComparison.Ordinal);
                if (close < 0)
                {
                    return (entries, lineNo);
                }

                valueStart = close + 1;
            }
            else
            {
                valueStart = line.IndexOfAny([' ', '\t', ':']);
                if (valueStart < 0)
                {
                    valueStart = line.Length;
                }
            }

            isList ??= valueStart == line.Length;
            if (isList.Value)
            {
                entries.Add((line, null));
                continue;
            }

            string key = line[..valueStart];
            string value = valueStart < line.Length ? line[(valueStart + 1)..].TrimStart(' ', '\t') : string.Empty;
            if (value.Length == 0)
            {
                return (entries, lineNo);
            }

            entries.Add((key, value));
        }

        return (entries, 0);
    }
}
