// Loads and checks smtpd.conf for the parent: every problem as `file:line: message` on stderr
// (all of them, in one run), legacy-rule notices, `-n -v` printing the canonical modern form,
// and the warnings about what is configured but not supported yet, for the caller to log.
// The roles get the checked model serialized; they never read the file themselves.
// Behaviour reference: usr.sbin/smtpd/smtpd.c main(), parse.y parse_config().
using Smtpd.Config;
using Smtpd.Runtime;

namespace Smtpd.Parent;

internal static class ParentConfig
{
    // The machine as the daemon will find it: listener addresses as ListenerBinder resolves
    // them, external table backends where the lookup agent starts them.
    private static readonly ConfigEnvironment Environment = new()
    {
        ListenerHasAddress = listener => ListenerBinder.Endpoints(listener).Count > 0,
        LibexecDir = Smtpd.Tables.ProcTable.LibexecDir,
    };

    /// <summary>The checked configuration, or null after reporting why it cannot be used.
    /// <paramref name="unsupported"/> gets one "warn: file:line: what: not supported yet" line
    /// for each feature the configuration uses that does nothing yet.</summary>
    public static SmtpdConfig? Load(SmtpdOptions options, out IReadOnlyList<string> unsupported)
    {
        unsupported = [];
        ConfigLoadResult result;
        if (!options.ConfigFileGiven && !File.Exists(options.ConfigFile))
        {
            // No /etc/smtpd.conf and none named: the built-in local-mail default.
            // Not checked against the machine: it is ours, and a system without /etc/aliases
            // still gets a daemon (alias lookups then wait until the file exists).
            result = ConfigLoader.LoadFromString(DefaultConfig.Text, "(built-in default)", options.Macros);
        }
        else
        {
            result = ConfigLoader.Load(options.ConfigFile, options.Macros, Environment);
        }

        foreach (var notice in result.Notices)
        {
            Console.Error.WriteLine(notice.ToString());
        }

        foreach (var error in result.Errors)
        {
            Console.Error.WriteLine(error.ToString());
        }

        if (result.Config is null)
        {
            return null;
        }

        unsupported = [.. ConfigChecker.Unsupported(result.Config).Select(d => "warn: " + d)];

        if (options.NoAction && options.Verbose > 0)
        {
            Console.Out.Write(ConfigPrinter.Print(result.Config));
            Console.Out.Flush();
        }

        return result.Config;
    }

    /// <summary>The file read again for a reload: the result with its errors, nothing printed.</summary>
    public static ConfigLoadResult Reload(SmtpdOptions options) =>
        !options.ConfigFileGiven && !File.Exists(options.ConfigFile)
            ? ConfigLoader.LoadFromString(DefaultConfig.Text, "(built-in default)", options.Macros)
            : ConfigLoader.Load(options.ConfigFile, options.Macros, Environment);
}
