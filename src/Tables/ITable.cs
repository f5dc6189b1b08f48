// A table as the lookup agent uses it: match a key for a service, or look a value up.
// Backends (static, file, db, getpwnam, proc, sqlite, passwd, socketmap) implement it.
// Behaviour reference: usr.sbin/smtpd/table.c table_match(), table_lookup().
namespace Smtpd.Tables;

internal interface ITable
{
    string Name { get; }

    /// <summary>Does any entry match <paramref name="key"/> for <paramref name="service"/>?</summary>
    MatchResult Match(TableService service, string key);

    /// <summary>The value of the first entry matching <paramref name="key"/>, or null; TempFail when the table cannot answer.</summary>
    (MatchResult Result, string? Value) Lookup(TableService service, string key);
}
