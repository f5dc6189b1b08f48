// Checks what a parsed configuration needs from the machine before smtpd can start: table files
// that exist and parse, table backends that exist, certificate and key files that can be read,
// listeners whose interface or address exists. OpenSMTPD finds each of these while it loads the
// configuration (smtpd -n included) and refuses to start; here each becomes a `file:line:`
// error of the statement that names the thing, reported with every other error.
// Behaviour reference: usr.sbin/smtpd/parse.y (table: table_config, create_if_listener),
// table.c table_create(), table_static.c table_static_priv_load(), table_db.c table_db_config(),
// smtpd.c load_pki_tree(), load_pki_keys().
using Smtpd.Tables;

namespace Smtpd.Config;

internal static class ConfigEnvironmentChecker
{
    // Backends smtpd knows itself; any other name is a table-NAME program in the libexec directory.
    private static readonly HashSet<string> BuiltinBackends = ["static", "file", "db", "getpwnam", "sqlite", "proc", "passwd", "socketmap"];

    public static void Check(SmtpdConfig config, ConfigEnvironment env, List<ConfigDiagnostic> errors, List<ConfigDiagnostic>? notices = null)
    {
        void Error(SourceLocation where, string message) => errors.Add(new ConfigDiagnostic(where.File, where.Line, message));

        foreach (var table in config.Tables)
        {
            if (TableProblem(table, env) is { } problem)
            {
                Error(table.Where, problem);
            }
        }

        foreach (var pki in config.Pkis)
        {
            if (pki.Cert is not null && Unreadable(pki.Cert) is { } certProblem)
            {
                Error(pki.Where, $"pki \"{pki.Name}\": failed to load certificate file \"{pki.Cert}\": {certProblem}");
            }

            if (pki.Key is not null && Unreadable(pki.Key) is { } keyProblem)
            {
                Error(pki.Where, $"pki \"{pki.Name}\": failed to load key file \"{pki.Key}\": {keyProblem}");
            }
            else if (pki.Cert is not null && pki.Key is not null && Unreadable(pki.Cert) is null)
            {
                if (Tls.TlsPkiCheck.Problem(pki) is { } material)
                {
                    Error(pki.Where, material);
                }
                else
                {
                    notices?.AddRange(Tls.TlsPkiCheck.Warnings(pki).Select(w => new ConfigDiagnostic(pki.Where.File, pki.Where.Line, w)));
                }
            }
        }

        foreach (var ca in config.Cas)
        {
            if (ca.Cert is not null && Unreadable(ca.Cert) is { } problem)
            {
                Error(ca.Where, $"ca \"{ca.Name}\": failed to load CA file \"{ca.Cert}\": {problem}");
            }
            else if (ca.Cert is not null && Tls.TlsPkiCheck.CaProblem(ca) is { } material)
            {
                Error(ca.Where, material);
            }
        }

        foreach (var listener in config.Listeners)
        {
            if (listener.Tls != ListenerTls.None && Tls.TlsPkiCheck.OptionsProblem(listener.Ciphers ?? config.SmtpCiphers, listener.Protocols, listener.Curves) is { } tlsProblem)
            {
                Error(listener.Where, tlsProblem);
            }

            if (!listener.IsSocket && !env.ListenerHasAddress(listener))
            {
                var family = listener.Family is null ? string.Empty : $" with {listener.Family} addresses";
                Error(listener.Where, $"invalid virtual ip or interface: \"{listener.Interface}\" (no interface, address or host name of that name{family})");
            }
        }
    }

    /// <summary>The entries of a table file, or null when it cannot be read or is malformed
    /// (<see cref="Check"/> reports that).</summary>
    public static IReadOnlyList<TableEntry>? ReadTableFile(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                return null;
            }

            var (entries, malformed) = TableFile.Parse(File.ReadAllText(path));
            return malformed == 0 ? [.. entries.Select(e => new TableEntry(e.Key, e.Value))] : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? TableProblem(TableDef table, ConfigEnvironment env)
    {
        if (table.IsInline)
        {
            return null;
        }

        if (!BuiltinBackends.Contains(table.Backend))
        {
            var program = Path.Combine(env.LibexecDir, "table-" + table.Backend);
            return File.Exists(program) ? null : $"table \"{table.Name}\": backend \"{table.Backend}\" does not exist (no {program})";
        }

        if (table.Config is null)
        {
            return null;
        }

        switch (table.Backend)
        {
            case "static" or "file":
                return StaticFileProblem(table);
            case "db":
                return Unreadable(table.Config) is { } problem
                    ? $"invalid configuration file {table.Config} for table \"{table.Name}\": {problem}"
                    : null;
            default:
                // sqlite files are read by the checker already; proc commands start with the lookup agent.
                return null;
        }
    }

    private static string? StaticFileProblem(TableDef table)
    {
        var path = table.Config!;
        string text;
        try
        {
            if (Directory.Exists(path))
            {
                return $"invalid configuration file {path} for table \"{table.Name}\": is a directory";
            }

            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"invalid configuration file {path} for table \"{table.Name}\": {Reason(e)}";
        }

        var (_, malformed) = TableFile.Parse(text);
        return malformed == 0
            ? null
            : $"invalid configuration file {path} for table \"{table.Name}\": line {malformed}: invalid map entry";
    }

    // Why a file cannot be opened for reading, or null when it can.
    private static string? Unreadable(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                return "is a directory";
            }

            using var stream = File.OpenRead(path);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return Reason(e);
        }
    }

    private static string Reason(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "no such file",
        UnauthorizedAccessException => "permission denied",
        _ => e.Message,
    };
}
