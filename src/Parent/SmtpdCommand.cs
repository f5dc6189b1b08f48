// `smtpd [-dFhnv] [-D macro=value] [-f file] [-P system] [-T trace]`: option handling, the
// configuration check, the root/non-root decision, daemonizing, then the parent or a role.
// Behaviour reference: usr.sbin/smtpd/smtpd.c main().
using Smtpd.Interop;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Parent;

internal static class SmtpdCommand
{
    public const string Version = "0.1.0";

    public static int Run(IReadOnlyList<string> args)
    {
        var options = SmtpdOptions.Parse(args, out string? error);
        if (error is not null)
        {
            Console.Error.WriteLine($"smtpd: {error}");
            return Usage();
        }

        if (options.Role is not null)
        {
            return RunRole(options);
        }

        // A daemon started from a shell in the background, or by a program that ignores them,
        // inherits SIGINT (and maybe SIGTERM) as SIG_IGN; the runtime then leaves an ignored
        // SIGINT alone and the parent could never be stopped with it. OpenSMTPD's parent
        // handles both whatever it inherited: so do we, from a clean default.
        Posix.DefaultSignal(Libc.SIGINT);
        Posix.DefaultSignal(Libc.SIGTERM);

        Log.Init(toStderr: true, options.Verbose);
        foreach (string w in options.Warnings)
        {
            Log.Warn(w);
        }

        if (options.Help)
        {
            Log.Info($"version: smtpd {Version}");
            return Usage();
        }

        var config = ParentConfig.Load(options, out var unsupported);
        if (config is null)
        {
            return 1;
        }

        if (options.NoAction)
        {
            // Warnings, not errors: the daemon runs without those features, so the file is usable.
            LogAll(unsupported);
            Console.Error.WriteLine("configuration OK");
            return 0;
        }

        bool privileged = Posix.IsRoot;
        if (privileged && !PrepareAsRoot(options))
        {
            return 1;
        }

        if (ControlSocketInUse(options.ControlSocket))
        {
            Console.Error.WriteLine($"smtpd: control socket {options.ControlSocket} already listening: is another smtpd running?");
            return 1;
        }

        var settings = new SetupSettings(
            privileged,
            options.Foreground,
            options.Verbose,
            (uint)options.Trace,
            // As OpenSMTPD's getmailname: the first line of /etc/mailname, else the host name.
            Enqueue.MailName.Get() ?? System.Net.Dns.GetHostName(),
            options.QueueDir,
            options.EmptyDir,
            options.ControlSocket,
            SmtpdUsers.Smtpd,
            SmtpdUsers.Queue);

        if (BindAll(config, options) is not { } listeners)
        {
            return 1;
        }

        if (!options.Foreground)
        {
            foreach (var (_, socket) in listeners)
            {
                socket.Dispose();
            }

            // On the terminal of whoever started us; the daemon logs them again once detached.
            LogAll(unsupported);
            return Daemonize(args);
        }

        Log.Init(toStderr: options.Debug, options.Verbose);
        Log.SetProcName("parent");
        Log.SetTrace(options.Trace);
        _ = Posix.RaiseOpenFilesLimit();
        Log.Info($"info: smtpd {Version} starting");
        LogAll(unsupported);
        return new ParentProcess(options, settings, config, listeners).Run();
    }

    /// <summary>Root needs the privilege-separation users, and the empty directory roles are locked into.</summary>
    private static bool PrepareAsRoot(SmtpdOptions options)
    {
        foreach (string user in new[] { SmtpdUsers.Smtpd, SmtpdUsers.Queue })
        {
            if (Posix.GetPwNam(user) is null)
            {
                Console.Error.WriteLine($"smtpd: unknown user {user}: running as root needs the privilege-separation users {SmtpdUsers.Smtpd} and {SmtpdUsers.Queue} (make install or the distribution package creates them); or run smtpd as a non-root user");
                return false;
            }
        }

        Posix.EnsureDirectory(options.EmptyDir, 0b111_101_101, 0, 0);
        return true;
    }

    /// <summary>
    /// Every listener and the enqueue socket, bound before anything starts, so a busy or
    /// impossible address is a clear error on the terminal, not a line in syslog after the
    /// daemon detached. Null (said on stderr) when one cannot be bound.
    /// </summary>
    private static List<(int Listener, System.Net.Sockets.Socket Socket)>? BindAll(Config.SmtpdConfig config, SmtpdOptions options)
    {
        var (listeners, bindError) = ListenerBinder.BindAll(config);
        if (bindError is not null)
        {
            Console.Error.WriteLine($"smtpd: {bindError}");
            return null;
        }

        var (enqueue, enqueueError) = ListenerBinder.BindEnqueueSocket(options.EnqueueSocket);
        if (enqueue is null)
        {
            foreach (var (_, socket) in listeners)
            {
                socket.Dispose();
            }

            Console.Error.WriteLine($"smtpd: {enqueueError}");
            return null;
        }

        listeners.Add((SetupListener.EnqueueSocket, enqueue));
        return listeners;
    }

    private static void LogAll(IReadOnlyList<string> warnings)
    {
        foreach (string warning in warnings)
        {
            Log.Warn(warning);
        }
    }

    public static int Usage()
    {
        Console.Error.WriteLine("usage: smtpd [-dFhnv] [-D macro=value] [-f file] [-P system] [-T trace]");
        return 1;
    }

    private static int RunRole(SmtpdOptions options)
    {
        if (options.Role == "mda")
        {
            return Mda.MdaHelper.Run(options);
        }

        if (options.Role == FilterExec.RoleName)
        {
            return FilterExec.Run();
        }

        var role = RoleFactory.Create(options.Role!);
        if (role is null)
        {
            Console.Error.WriteLine($"smtpd: bad rexec: {options.Role}");
            return 1;
        }

        return RoleHost.Run(options, role);
    }

    /// <summary>Runs the daemon detached (new session, stdio on /dev/null) and returns at once, like daemon(3).</summary>
    private static int Daemonize(IReadOnlyList<string> args)
    {
        var argv = new List<string> { "smtpd", "-F" };
        argv.AddRange(args);
        using var devnull = Posix.Open("/dev/null", Libc.O_RDWR);
        var env = new List<string>();
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            env.Add($"{e.Key}={e.Value}");
        }

        Posix.Spawn(ChildSpawner.SelfPath(), argv, env, [(devnull, 0), (devnull, 1), (devnull, 2)], newSession: true);
        return 0;
    }

    private static bool ControlSocketInUse(string path)
    {
        using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        try
        {
            probe.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}
