// Finds a user in an action's userbase: the table its `userbase` option names, or the system's
// password database when it names none (OpenSMTPD's default, <getpwnam>). Recipient expansion
// asks it whether a user exists; the dispatcher asks it, over IMSG, whom a delivery runs as.
// Behaviour reference: usr.sbin/smtpd/lka.c lka_userinfo(), lka_session.c lka_expand()
// (EXPAND_USERNAME), table.c table_parse_lookup() (K_USERINFO).
using Smtpd.Config;
using Smtpd.Interop;
using Smtpd.Tables;

namespace Smtpd.Lka;

internal sealed class LkaUserbase
{
    /// <summary>How logs name the system's password database, as OpenSMTPD's default userbase.</summary>
    public const string SystemTable = "<getpwnam>";

    private readonly TableSet _tables;
    private readonly Func<string, PasswdEntry?> _getpwnam;

    public LkaUserbase(TableSet tables, Func<string, PasswdEntry?> getpwnam)
    {
        _tables = tables;
        _getpwnam = getpwnam;
    }

    /// <summary>
    /// Match with the user, NoMatch, or TempFail when the table cannot answer. An entry that does
    /// not parse as "uid:gid:directory" is a TempFail too: the table is broken, the user may exist.
    /// </summary>
    public (MatchResult Result, UserInfo? User) Lookup(ActionDef action, string user)
    {
        if (action.Userbase is not null)
        {
            var (r, value) = _tables.Resolve(action.Userbase).Lookup(TableService.Userinfo, user);
            if (r != MatchResult.Match)
            {
                return (r, null);
            }

            var info = value is null ? null : UserInfo.Parse(user, value);
            return info is null ? (MatchResult.TempFail, null) : (MatchResult.Match, info);
        }

        try
        {
            return _getpwnam(user) is { } pw ? (MatchResult.Match, new UserInfo(pw.Name, pw.Uid, pw.Gid, pw.Directory)) : (MatchResult.NoMatch, null);
        }
        catch (PosixException)
        {
            // An NSS source that cannot answer (LDAP down) is not the same as "no such user".
            return (MatchResult.TempFail, null);
        }
    }

    /// <summary>The userbase's name for logs: the table's, "&lt;inline&gt;", or the system's.</summary>
    public static string TableName(ActionDef action) => action.Userbase switch
    {
        null => SystemTable,
        { Name: { } name } => name,
        _ => "<inline>",
    };
}
