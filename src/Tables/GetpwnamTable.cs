// The getpwnam backend: the system's user database, answering only the userinfo service with
// "uid:gid:home". Asked anything else it cannot answer, so that is a temporary failure.
// Behaviour reference: usr.sbin/smtpd/table_getpwnam.c.
using Smtpd.Interop;

namespace Smtpd.Tables;

internal sealed class GetpwnamTable : ITable
{
    private readonly Func<string, PasswdEntry?> _getpwnam;

    public GetpwnamTable(string name, Func<string, PasswdEntry?>? getpwnam = null)
    {
        Name = name;
        _getpwnam = getpwnam ?? Posix.GetPwNam;
    }

    public string Name { get; }

    public MatchResult Match(TableService service, string key) => Lookup(service, key).Result;

    public (MatchResult Result, string? Value) Lookup(TableService service, string key)
    {
        if (service != TableService.Userinfo)
        {
            return (MatchResult.TempFail, null);
        }

        try
        {
            return _getpwnam(key) is { } pw ? (MatchResult.Match, $"{pw.Uid}:{pw.Gid}:{pw.Directory}") : (MatchResult.NoMatch, null);
        }
        catch (PosixException)
        {
            // An NSS source that cannot answer (LDAP down) is not the same as "no such user".
            return (MatchResult.TempFail, null);
        }
    }
}
