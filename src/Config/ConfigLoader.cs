// Entry point for loading smtpd.conf: read, tokenize, parse, check; returns the model or every error.
// Behaviour reference: usr.sbin/smtpd/parse.y (parse_config, cmdline_symset).
namespace Smtpd.Config;

internal static class ConfigLoader
{
    private static readonly IReadOnlyDictionary<string, string> NoMacros = new Dictionary<string, string>();

    /// <summary>Loads a configuration file. <paramref name="cmdlineMacros"/> come from "-D name=value"
    /// and override the file's own macro definitions.</summary>
    public static ConfigLoadResult Load(string path, IReadOnlyDictionary<string, string> cmdlineMacros) => Load(path, cmdlineMacros, null);

    /// <summary>Loads a configuration file for a daemon about to start (or smtpd -n): with an
    /// <paramref name="environment"/>, the files, backends and interfaces it names are checked too.</summary>
    public static ConfigLoadResult Load(string path, IReadOnlyDictionary<string, string> cmdlineMacros, ConfigEnvironment? environment)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            var reason = e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message;
            return new ConfigLoadResult(null, [new ConfigDiagnostic(path, 0, $"cannot open configuration: {reason}")], []);
        }
        return Parse(text, path, Path.GetFullPath(path), cmdlineMacros, environment);
    }

    /// <summary>Parses configuration text, e.g. a built-in default or a test case. Includes are
    /// resolved relative to the directory of <paramref name="fileName"/>.</summary>
    public static ConfigLoadResult LoadFromString(string text, string fileName, IReadOnlyDictionary<string, string>? cmdlineMacros = null, ConfigEnvironment? environment = null) =>
        Parse(text, fileName, Path.GetFullPath(fileName), cmdlineMacros ?? NoMacros, environment);

    // Syntax errors are found while reading and the rest after; report them all in file order, the
    // files in the order they were first mentioned. The sort is stable, so one line keeps its order.
    private static List<ConfigDiagnostic> InFileOrder(List<ConfigDiagnostic> errors)
    {
        var fileOrder = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in errors)
        {
            fileOrder.TryAdd(e.File, fileOrder.Count);
        }
        return [.. errors.OrderBy(e => fileOrder[e.File]).ThenBy(e => e.Line)];
    }

    private static ConfigLoadResult Parse(string text, string fileName, string fullPath, IReadOnlyDictionary<string, string> macros, ConfigEnvironment? environment)
    {
        var errors = new List<ConfigDiagnostic>();
        var notices = new List<ConfigDiagnostic>();
        var stream = new TokenStream(text, fileName, fullPath, macros, errors);
        var parser = new Parser(stream, errors, notices);
        var config = parser.ParseAll();
        ConfigChecker.Check(config, errors, parser.BrokenActions, parser.BrokenTables, environment is null ? null : ConfigEnvironmentChecker.ReadTableFile, notices);
        if (environment is not null)
        {
            // Certificates from tables become pki entries here: what is loaded is what is checked.
            config = PkiTables.Expand(config, errors);
            ConfigEnvironmentChecker.Check(config, environment, errors, notices);
        }
        // OpenSMTPD refuses to run without rules: every message would be refused anyway.
        if (config.Rules.Count == 0 && errors.Count == 0)
        {
            errors.Add(new ConfigDiagnostic(fileName, 0, "no rules, nothing to do: add at least one match rule"));
        }
        return new ConfigLoadResult(errors.Count == 0 ? config : null, InFileOrder(errors), notices);
    }
}
