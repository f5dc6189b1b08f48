// The fixed recipe every role follows after the parent re-executed it (smtpd.c setup_proc() and
// the start of queue(), lka(), ...): title, warm-up, settings/config/peers from the parent on
// fd 3, privileged preparation, the drop, the handshake back, then one dispatch loop per peer.
// The parent's socket closing ends the role quietly; a lost peer role leaves the stop to the parent.
using Smtpd.Interop;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;

namespace Smtpd.Runtime;

internal static class RoleHost
{
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromSeconds(10);

    public static int Run(SmtpdOptions options, RoleProcess role)
    {
        role.Options = options;
        Log.Init(toStderr: options.Debug, options.Verbose);
        Log.SetProcName(role.Role.ShortTitle());
        Posix.SetProcessTitle(role.Role.Title());
        WarmUp.Run();

        // Ctrl-C reaches the whole process group; only the parent decides when roles stop.
        // Ignored outright (as OpenSMTPD's processes do): a handler would cost a thread.
        Posix.IgnoreSignal(Libc.SIGINT);
        Posix.IgnoreSignal(Libc.SIGTERM);
        Posix.IgnoreSignal(Libc.SIGHUP);

        // Started inside the loop, so the loop is the thread that runs the IPC poller.
        var parent = new ImsgChannel(new SafeFd(ChildSpawner.ParentFd), "parent");
        return EventLoop.Run(() =>
        {
            parent.Start();
            return RunAsync(role, parent);
        });
    }

    private static async Task<int> RunAsync(RoleProcess role, ImsgChannel parent)
    {
        var peers = new Dictionary<ProcRole, ImsgChannel> { [ProcRole.Parent] = parent };
        var (settings, config) = await ReceiveAllSetupAsync(role, parent, peers);
        role.Configure(settings, config, peers);
        if (role.NeedsCrypto)
        {
            WarmUp.Crypto();
        }

        role.BeforeDrop();
        if (settings.Privileged)
        {
            var user = Privileges.RequireUser(role.UserName(settings));
            Privileges.Drop(user, role.ChrootDir(settings));
        }

        parent.PostEmpty(ImsgType.SetupDone);
        Log.Debug($"setup_proc: {role.Role.ShortTitle()} done");

        Task? parentLoop = null;
        foreach (var (peerRole, channel) in peers)
        {
            var loop = PeerLoopAsync(role, peerRole, channel);
            if (peerRole == ProcRole.Parent)
            {
                parentLoop = loop;
            }
        }

        Monkey.Announce(role.Role);
        await role.StartAsync();

        // Only the parent's socket closing ends a role. When another role dies, its peers wait
        // for the parent to stop everyone, so the parent's log names the one that really died.
        await parentLoop!;
        Log.Debug($"debug: {role.Role.Name()} agent exiting");
        GcStats.LogAtExit(role.Role.Name());
        return 0;
    }

    /// <summary>
    /// The parent's setup messages up to SetupDone: settings, the configuration, a channel to each
    /// peer role (started, added to <paramref name="peers"/>), and the role's own (listeners).
    /// </summary>
    private static async Task<(SetupSettings Settings, byte[] Config)> ReceiveAllSetupAsync(RoleProcess role, ImsgChannel parent, Dictionary<ProcRole, ImsgChannel> peers)
    {
        SetupSettings? settings = null;
        byte[] config = [];
        while (true)
        {
            using var msg = await ReceiveSetupAsync(parent);
            if (msg.Type == ImsgType.SetupDone)
            {
                msg.ExpectEmpty();
                break;
            }

            switch (msg.Type)
            {
                case ImsgType.SetupSettings:
                    settings = msg.Read<SetupSettings>();
                    Log.SetVerbose(settings.Value.Verbose);
                    Log.SetTrace((TraceFlags)settings.Value.Trace);
                    break;
                case ImsgType.SetupConfig:
                    config = msg.Read<SetupConfig>().Blob;
                    break;
                case ImsgType.SetupPeer:
                    msg.ExpectEmpty();
                    var peerRole = (ProcRole)msg.PeerId;
                    var fd = msg.TakeFd();
                    if (fd is null || !Enum.IsDefined(peerRole) || peerRole == ProcRole.Parent || peers.ContainsKey(peerRole))
                    {
                        Log.FatalX($"bad peer setup for {peerRole}");
                    }

                    Log.Debug($"setup_peer: {role.Role.Name()} -> {peerRole.Name()}[{msg.Pid}] fd={fd.Fd}");
                    var channel = new ImsgChannel(fd, peerRole.Name());
                    channel.Start();
                    peers[peerRole] = channel;
                    break;
                default:
                    if (!role.OnSetupMessage(msg))
                    {
                        Log.FatalX($"bad imsg {msg.Type} during setup");
                    }

                    break;
            }
        }

        if (settings is null)
        {
            Log.FatalX("setup ended without settings");
        }

        return (settings.Value, config);
    }

    private static async Task<Imsg> ReceiveSetupAsync(ImsgChannel parent)
    {
        using var timeout = new CancellationTokenSource(SetupTimeout);
        try
        {
            if (await parent.Inbound.WaitToReadAsync(timeout.Token) && parent.Inbound.TryRead(out var msg))
            {
                return msg;
            }
        }
        catch (OperationCanceledException)
        {
            Log.FatalX("timed out waiting for setup from parent");
        }
        catch (ImsgFormatException e)
        {
            Log.FatalX($"parent: {e.Message}");
        }

        // The parent went away before setup finished: nothing to serve.
        Environment.Exit(0);
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>
    /// Dispatches one peer's messages until it closes. Only the parent's loop is awaited, so an
    /// exception escaping here would end this peer's loop unseen and leave the role alive but deaf
    /// to that peer (the daemon wedged). Any failure is therefore fatal and logged: the parent sees
    /// the role die, stops the daemon, and the service manager restarts it.
    /// </summary>
    internal static async Task PeerLoopAsync(RoleProcess role, ProcRole peerRole, ImsgChannel channel, Action<string>? fatal = null)
    {
        fatal ??= Log.FatalX;
        try
        {
            await foreach (var msg in channel.ReadAllHereAsync())
            {
                using (msg)
                {
                    ImsgTrace.Received(role.Role, peerRole, msg);
                    await role.DispatchAsync(peerRole, msg);
                }
            }
        }
        catch (ImsgFormatException e)
        {
            fatal($"{peerRole.Name()}: {e.Message}");
            return;
        }
        catch (Exception e)
        {
            fatal($"{peerRole.Name()}: unexpected {e.GetType().Name} while handling a message: {e.Message}");
            return;
        }

        if (peerRole != ProcRole.Parent)
        {
            Log.Debug($"debug: {role.Role.Name()}: lost peer {peerRole.Name()}");
        }

        role.OnPeerLost(peerRole);
    }
}
