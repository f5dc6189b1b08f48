// What a directive needs from a table: its shape (list or map) and the lookup service.
// Behaviour reference: usr.sbin/smtpd/table.c (table_check_use, table_check_type, table_check_service).
namespace Smtpd.Config;

/// <param name="Usage">How the use is named in messages, e.g. "alias".</param>
/// <param name="List">A list table (values only) may serve.</param>
/// <param name="Map">A map table (key = value) may serve.</param>
/// <param name="Service">The lookup service the backend must provide, e.g. "alias" or "netaddr".</param>
internal sealed record TableUse(string Usage, bool List, bool Map, string Service);
