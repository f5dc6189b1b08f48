// One element of an inline table: a key alone (list) or a key with a value (map).
// Behaviour reference: usr.sbin/smtpd/parse.y (stringel, keyval), table.5.
namespace Smtpd.Config;

internal sealed record TableEntry(string Key, string? Value);
