// Certificates from a table (our extension, the K_CERT service OpenSMTPD's developers sketched):
// `listen on ... pki <certs>` with `table certs file:/etc/mail/certs` holding lines
// "example.org /etc/ssl/example.org.crt /etc/ssl/private/example.org.key". Each entry becomes a
// pki named "<certs>example.org", added to the model where the configuration is loaded (start,
// `smtpd -n`, reload), so the crypto role loads its key and the dispatcher its certificate as
// for any pki line, and a reload picks up entries added, changed or removed. The entries are
// not part of what a reload compares (a changed table needs no restart).
namespace Smtpd.Config;

internal static class PkiTables
{
    /// <summary>The pki name of table <paramref name="table"/>'s entry for <paramref name="host"/>.</summary>
    public static string Name(string table, string host) => Prefix(table) + host;

    /// <summary>What every pki name of table <paramref name="table"/> starts with.</summary>
    public static string Prefix(string table) => "<" + table + ">";

    /// <summary>The host name a pki is for: its name, or a table entry's key.</summary>
    public static string Host(string pkiName) => FromTable(pkiName) ? pkiName[(pkiName.IndexOf('>', StringComparison.Ordinal) + 1)..] : pkiName;

    /// <summary>Whether a pki came from a table rather than a pki line (a pki line's name cannot start with "&lt;").</summary>
    public static bool FromTable(string pkiName) => pkiName.StartsWith('<');

    /// <summary>
    /// <paramref name="config"/> with a pki for every entry of the tables its listeners take
    /// certificates from; a table that cannot be read or an entry that is not "cert key" is an error of the table's line.
    /// </summary>
    public static SmtpdConfig Expand(SmtpdConfig config, List<ConfigDiagnostic> errors)
    {
        var tables = config.Listeners.Select(l => l.PkiTable?.Name).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (tables.Count == 0)
        {
            return config;
        }

        var pkis = config.Pkis.Where(p => !FromTable(p.Name)).ToList();
        foreach (string name in tables)
        {
            var def = config.Tables.FirstOrDefault(t => t.Name == name);
            if (def is null)
            {
                continue; // the checker reported it
            }

            // The entries are read here, once per load, not through the lookup agent: only a
            // file or an inline list can be.
            if (!def.IsInline && def.Backend is not ("file" or "static"))
            {
                errors.Add(new ConfigDiagnostic(def.Where.File, def.Where.Line, $"table \"{name}\": a certificates table (listen on ... pki <{name}>) must be file: or inline, not {def.Backend}:"));
                continue;
            }

            IReadOnlyList<TableEntry>? entries = def.IsInline ? def.Entries : ConfigEnvironmentChecker.ReadTableFile(def.Config!);
            if (entries is null)
            {
                errors.Add(new ConfigDiagnostic(def.Where.File, def.Where.Line, $"table \"{name}\": cannot read the certificates table {def.Config}"));
                continue;
            }

            foreach (var e in entries)
            {
                string host = e.Key.ToLowerInvariant();
                string[] files = (e.Value ?? string.Empty).Split((char[])[' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries);
                if (files.Length != 2 || (host != "*" && !Parser.IsHostName(host)))
                {
                    errors.Add(new ConfigDiagnostic(def.Where.File, def.Where.Line, $"table \"{name}\": entry \"{e.Key}\": expected a host name and \"certificate-file key-file\""));
                    continue;
                }

                pkis.Add(new PkiDef { Name = Name(name, host), Cert = files[0], Key = files[1], Where = def.Where });
            }
        }

        return config with { Pkis = new ValueList<PkiDef>(pkis) };
    }
}
