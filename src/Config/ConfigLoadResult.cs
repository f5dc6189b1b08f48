// What loading a configuration produced: the model when there were no errors, and every diagnostic.
// Behaviour reference: usr.sbin/smtpd/parse.y (parse_config returns -1 when any error was counted).
namespace Smtpd.Config;

internal sealed class ConfigLoadResult
{
    public ConfigLoadResult(SmtpdConfig? config, IReadOnlyList<ConfigDiagnostic> errors, IReadOnlyList<ConfigDiagnostic> notices)
    {
        Config = config;
        Errors = errors;
        Notices = notices;
    }

    /// <summary>The checked model; null whenever <see cref="Errors"/> is not empty.</summary>
    public SmtpdConfig? Config { get; }

    public IReadOnlyList<ConfigDiagnostic> Errors { get; }

    public IReadOnlyList<ConfigDiagnostic> Notices { get; }

    public bool Success => Config is not null;
}
