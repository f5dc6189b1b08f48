// Starts a role: re-executes our own binary as `smtpd ARGS -x ROLE` with its end of a fresh
// socketpair at descriptor 3 and everything above closed (smtpd.c start_child(), but with
// posix_spawn: fork() without exec is unsafe in a multi-threaded runtime).
using Smtpd.Interop;
using Smtpd.Ipc;

namespace Smtpd.Runtime;

internal static class ChildSpawner
{
    /// <summary>The descriptor a role finds its parent on.</summary>
    public const int ParentFd = 3;

    public static ChildProcess Start(ProcRole role, IReadOnlyList<string> parentArgs)
    {
        var (mine, theirs) = Posix.SocketPair();
        var argv = new List<string>(parentArgs.Count + 3) { "smtpd" };
        argv.AddRange(parentArgs);
        argv.Add("-x");
        argv.Add(role.Name());
        int pid;
        try
        {
            pid = Posix.Spawn(SelfPath(), argv, CurrentEnvironment(), [(theirs, ParentFd)]);
        }
        finally
        {
            theirs.Dispose();
        }

        var channel = new ImsgChannel(mine, role.Name());
        channel.Start();
        return new ChildProcess(role, pid, channel);
    }

    public static string SelfPath() =>
        Environment.ProcessPath ?? throw new InvalidOperationException("cannot find our own executable");

    // The roles' allocation budget between collections, 4 MiB (hex, as the runtime reads it),
    // unless the environment sets one: with the default budget each busy role grew from 7 to
    // about 30 MiB before its first collection.
    private const string Gen0Budget = "DOTNET_GCgen0size";

    private static List<string> CurrentEnvironment()
    {
        var env = new List<string>();
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            env.Add($"{e.Key}={e.Value}");
        }

        if (Environment.GetEnvironmentVariable(Gen0Budget) is null)
        {
            env.Add(Gen0Budget + "=400000");
        }

        return env;
    }
}
