// A passwd-format file of virtual users, as OpenSMTPD-extras' table-passwd reads it: one
// "user:password:uid:gid:gecos:home[:shell[:more...]]" entry per line (further fields are
// allowed so a Dovecot passwd-file can be shared), everything from a '#' on is a comment, blank
// lines are skipped, a later entry for the same user replaces an earlier one. One malformed line
// makes the whole file unusable, so a half-read file never answers "no such user".
// Behaviour reference: OpenSMTPD-extras extras/tables/table-passwd/table_passwd.c.
namespace Smtpd.Tables;

internal sealed record PasswdLine(string User, string Password, string Uid, string Gid, string Home)
{
    /// <summary>Longest line table-passwd accepts (LINE_MAX, terminator included).</summary>
    public const int MaxLine = 2047;

    /// <summary>The fields of <paramref name="line"/> (comment already removed), or null when it has fewer than six.</summary>
    public static PasswdLine? Parse(string line)
    {
        string[] f = line.Split(':');
        return f.Length < 6 || f[0].Length == 0 ? null : new PasswdLine(f[0], f[1], f[2], f[3], f[5]);
    }

    /// <summary>"user:password" for the credentials service; null when the password is empty.</summary>
    public string? Credentials => Password.Length == 0 ? null : $"{User}:{Password}";

    /// <summary>"uid:gid:home" for the userinfo service; null unless both ids are numbers and the home is set.</summary>
    public string? Userinfo => Id(Uid) is { } uid && Id(Gid) is { } gid && Home.Length > 0 ? $"{uid}:{gid}:{Home}" : null;

    private static uint? Id(string text) =>
        text.Length > 0 && text.All(char.IsAsciiDigit) && uint.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out uint id) ? id : null;
}

internal static class PasswdFile
{
    /// <summary>The entries of <paramref name="text"/> by user, or the line number of the first bad line and why.</summary>
    public static (Dictionary<string, PasswdLine>? Entries, int BadLine, string Problem) Parse(string text)
    {
        var entries = new Dictionary<string, PasswdLine>(StringComparer.Ordinal);
        int number = 0;
        foreach (string raw in text.Split('\n'))
        {
            number++;
            int hash = raw.IndexOf('#', StringComparison.Ordinal);
            string line = hash < 0 ? raw : raw[..hash];
            if (line.Length == 0)
            {
                continue;
            }

            if (line.Length > PasswdLine.MaxLine)
            {
                return (null, number, "line too long");
            }

            if (PasswdLine.Parse(line) is not { } entry)
            {
                return (null, number, "invalid entry: expected user:password:uid:gid:gecos:home[:shell]");
            }

            entries[entry.User] = entry;
        }

        return (entries, 0, string.Empty);
    }
}
