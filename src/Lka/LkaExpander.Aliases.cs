// Alias and virtual tables: which key is tried first (with and without the sub-address tag, the
// per-domain "@domain" and global "@" catch-alls), and merging the entries found, :include:
// files read in place. Each returns -1 when the table cannot answer, else the entries added.
// Behaviour reference: usr.sbin/smtpd/aliases.c aliases_get(), aliases_virtual_get().
using Smtpd.Config;
using Smtpd.Tables;

namespace Smtpd.Lka;

internal sealed partial class LkaExpander
{
    private int AliasesGet(LkaSession lks, ExpandNode parent, TableRef table, string user)
    {
        var keys = new List<string>(2);
        int tag = user.IndexOf(_delimiter, StringComparison.Ordinal);
        if (tag >= 0)
        {
            keys.Add(user);
        }

        keys.Add(tag >= 0 ? user[..tag] : user);
        return LookupAndMerge(lks, parent, table, keys);
    }

    private int VirtualGet(LkaSession lks, ExpandNode parent, TableRef table, string user, string domain)
    {
        string tag = string.Empty;
        int t = user.IndexOf(_delimiter, StringComparison.Ordinal);
        if (t >= 0)
        {
            tag = user[(t + 1)..];
            user = user[..t];
        }

        var keys = new List<string>(6);
        if (tag.Length > 0)
        {
            keys.Add($"{user}{_delimiter}{tag}@{domain}");
        }

        keys.Add($"{user}@{domain}");
        if (tag.Length > 0)
        {
            keys.Add($"{user}{_delimiter}{tag}");
        }

        keys.Add(user);

        // A bare name (an entry of another virtual entry) never falls into a catch-all.
        if (domain.Length > 0)
        {
            keys.Add("@" + domain);
            keys.Add("@");
        }

        return LookupAndMerge(lks, parent, table, keys);
    }

    /// <summary>The first key the table knows decides; its entries join the tree under <paramref name="parent"/>.</summary>
    private int LookupAndMerge(LkaSession lks, ExpandNode parent, TableRef table, List<string> keys)
    {
        var t = _tables.Resolve(table);
        foreach (string key in keys)
        {
            var (r, value) = t.Lookup(TableService.Alias, key);
            if (r == MatchResult.TempFail)
            {
                return -1;
            }

            if (r != MatchResult.Match || value is null)
            {
                continue;
            }

            var nodes = AliasLine.Parse(value, includes: true);
            if (nodes is null)
            {
                // A malformed value is the table's fault, not the sender's: try again later.
                Runtime.Log.Warn($"warn: lka: {t.Name}: cannot parse the entry for \"{key}\"");
                return -1;
            }

            int added = 0;
            foreach (var n in nodes)
            {
                if (n.Kind == ExpandNodeKind.Include)
                {
                    added += ExpandInclude(lks, parent, n.Text);
                }
                else
                {
                    added++;
                    lks.Tree.Insert(n, parent);
                }
            }

            Runtime.Log.Debug($"debug: aliases_get: \"{key}\" resolved to {added} nodes");
            return added;
        }

        return 0;
    }

    /// <summary>An :include: file: more entries, one list per line, no further includes; 1 if read.</summary>
    private static int ExpandInclude(LkaSession lks, ExpandNode parent, string path)
    {
        if (IncludeFile.Read(path, out string error) is not { } text)
        {
            Runtime.Log.Warn($"warn: failed to open include file \"{path}\": {error}");
            return 0;
        }

        foreach (string line in AliasLine.Lines(text))
        {
            // A bad line is skipped: the rest of the list still gets its mail.
            foreach (var n in AliasLine.Parse(line, includes: false) ?? [])
            {
                lks.Tree.Insert(n, parent);
            }
        }

        return 1;
    }
}
