// sqlite: tables are built in, so the checker can read their configuration file as the lookup
// agent will: its own mistakes, and a use for a service it has no query for, are reported when
// the configuration is loaded instead of deferring every mail at run time. A file that cannot be
// read now is left to the table, which reports it (and answers temporary failures) at run time.
// Behaviour reference: usr.sbin/smtpd/table.c table_check_use(); OpenSMTPD/table-sqlite table_sqlite.c.
namespace Smtpd.Config;

internal sealed partial class ConfigChecker
{
    // Each file once, however many tables share it; null when it cannot be read.
    private readonly Dictionary<string, SqliteTableConfig?> _sqliteConfigs = new(StringComparer.Ordinal);

    private void CheckSqliteTable(TableDef table)
    {
        if (table.Config is null)
        {
            Error(table.Where, $"table \"{table.Name}\": backend \"sqlite\" needs its configuration file (sqlite:/path)");
            return;
        }

        SqliteConfig(table.Config);
    }

    private void CheckSqliteUse(TableDef def, TableUse use, SourceLocation where)
    {
        if (SqliteTableConfig.DirectiveFor(use.Service) is not { } directive)
        {
            Error(where, $"table \"{def.Name}\" may not be used for {use.Usage} lookups: backend \"sqlite\" does not provide the {use.Service} service");
        }
        else if (def.Config is not null && SqliteConfig(def.Config) is { } config && !config.Provides(use.Service))
        {
            if (use.Service != "userinfo")
            {
                Error(where, $"table \"{def.Name}\" may not be used for {use.Usage} lookups: {def.Config} has no {directive}");
                return;
            }

            // OpenSMTPD 7.8 runs sqlite tables as table-sqlite processes and accepts any use at
            // load time. A userbase is only asked when a delivery needs the user (an action no rule
            // reaches never asks), so a missing query_userinfo is accepted, and said.
            Notice(where, $"warning: table \"{def.Name}\" is used for {use.Usage} lookups but {def.Config} has no {directive}: such lookups fail temporarily");
        }
    }

    private SqliteTableConfig? SqliteConfig(string path)
    {
        if (_sqliteConfigs.TryGetValue(path, out var known))
        {
            return known;
        }

        SqliteTableConfig? config = null;
        try
        {
            config = SqliteTableConfig.Load(path);
            foreach (var (line, message) in config.Problems)
            {
                _errors.Add(new ConfigDiagnostic(path, line, message));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        _sqliteConfigs[path] = config;
        return config;
    }
}
