// Locates the golden configuration corpus and renders load results the way the .expected files hold them.
namespace Smtpd.Tests.Config;

using Smtpd.Config;

internal static class GoldenCorpus
{
    /// <summary>Set SMTPD_UPDATE_GOLDEN=1 to rewrite the .expected files in the source tree from the
    /// current output; review the diff before committing.</summary>
    public static bool Update => Environment.GetEnvironmentVariable("SMTPD_UPDATE_GOLDEN") == "1";

    public static string OutputDir(string kind) => Path.Combine(AppContext.BaseDirectory, "Config", "Golden", kind);

    public static TheoryData<string> Files(string kind)
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(OutputDir(kind), "*.conf").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }
        return data;
    }

    public static ConfigLoadResult Load(string kind, string name) =>
        ConfigLoader.Load(Path.Combine(OutputDir(kind), name), new Dictionary<string, string>());

    /// <summary>Diagnostics name files relative to the corpus directory so the goldens do not depend on where tests run.</summary>
    public static string Relative(ConfigDiagnostic d, string kind) =>
        d.ToString().Replace(OutputDir(kind) + Path.DirectorySeparatorChar, string.Empty, StringComparison.Ordinal);

    public static string Expected(string kind, string name) =>
        File.ReadAllText(Path.Combine(OutputDir(kind), Path.ChangeExtension(name, ".expected")));

    public static void Write(string kind, string name, string content)
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "smtpd.Tests.csproj")))
        {
            dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("tests directory not found");
        }
        File.WriteAllText(Path.Combine(dir, "Config", "Golden", kind, Path.ChangeExtension(name, ".expected")), content);
    }
}
