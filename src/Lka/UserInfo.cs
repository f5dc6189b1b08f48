// A recipient found in the userbase: its name, ids and home directory, from getpwnam or from a
// table's "uid:gid:directory" userinfo entry.
// Behaviour reference: usr.sbin/smtpd/table.c (K_USERINFO), smtpd.h struct userinfo.
namespace Smtpd.Lka;

internal sealed record UserInfo(string Name, uint Uid, uint Gid, string Directory)
{
    /// <summary>A userinfo table value, "uid:gid:directory"; null when it does not parse.</summary>
    public static UserInfo? Parse(string name, string value)
    {
        string[] f = value.Trim().Split(':', 3);
        return f.Length == 3 && uint.TryParse(f[0], out uint uid) && uint.TryParse(f[1], out uint gid) && f[2].StartsWith('/')
            ? new UserInfo(name, uid, gid, f[2])
            : null;
    }
}
