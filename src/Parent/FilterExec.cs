// `smtpd -x filter-exec`: the short-lived helper the parent starts for a filter process. The
// parent placed the lka-bound socket on stdin and stdout and the stderr socket on stderr; the
// helper locks itself into the chroot if one is configured, becomes the filter's user and
// group (verified), and replaces itself with `/bin/sh -c "exec COMMAND"`, as OpenSMTPD's
// fork_filter_process does between fork and system(). A posix_spawn'd program cannot change
// its own ids first, hence the helper.
// Behaviour reference: usr.sbin/smtpd/smtpd.c fork_filter_process().
using System.Globalization;
using Smtpd.Interop;

namespace Smtpd.Parent;

internal static class FilterExec
{
    public const string RoleName = "filter-exec";
    public const string CommandVariable = "SMTPD_FILTER_EXEC_COMMAND";
    public const string UidVariable = "SMTPD_FILTER_EXEC_UID";
    public const string GidVariable = "SMTPD_FILTER_EXEC_GID";
    public const string ChrootVariable = "SMTPD_FILTER_EXEC_CHROOT";

    public static int Run()
    {
        string? command = Environment.GetEnvironmentVariable(CommandVariable);
        if (string.IsNullOrEmpty(command))
        {
            Console.Error.WriteLine("smtpd: filter-exec: no command");
            return 1;
        }

        try
        {
            if (Environment.GetEnvironmentVariable(ChrootVariable) is { Length: > 0 } root)
            {
                Posix.Chroot(root);
                Posix.Chdir("/");
            }

            if (Environment.GetEnvironmentVariable(UidVariable) is { Length: > 0 } uidText)
            {
                uint uid = uint.Parse(uidText, CultureInfo.InvariantCulture);
                uint gid = uint.Parse(Environment.GetEnvironmentVariable(GidVariable) ?? "", CultureInfo.InvariantCulture);
                if (Mda.PrivilegeDrop.Become(uid, gid) is { } error)
                {
                    Console.Error.WriteLine($"smtpd: filter-exec: cannot drop privileges: {error}");
                    return 1;
                }
            }

            var env = new List<string>();
            foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            {
                string key = (string)e.Key;
                if (!key.StartsWith("SMTPD_FILTER_EXEC_", StringComparison.Ordinal))
                {
                    env.Add($"{key}={e.Value}");
                }
            }

            Posix.Exec("/bin/sh", ["/bin/sh", "-c", "exec " + command], env);
        }
        catch (PosixException e)
        {
            Console.Error.WriteLine($"smtpd: filter-exec: {e.Message}");
        }

        return 1;
    }
}
