// Loads and checks smtpd.conf for the parent: every problem as `file:line: message` on stderr
// (all of them, in one run), legacy-rule notices, `-n -v` printing the canonical modern form.
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

    /// <summary>The checked configuration, or null after reporting why it cannot be used.</summary>
    public static SmtpdConfig? Load(SmtpdOptions options)
    {
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

        if (options.NoAction && options.Verbose > 0)
        {
            Console.Out.Write(ConfigPrinter.Print(result.Config));
            Console.Out.Flush();
        }

        return result.Config;
    }
}
