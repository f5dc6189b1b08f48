// The parent: checks the environment, starts every role, wires them together, hands out the
// configuration, then watches. A role that dies takes the daemon down with a line naming it;
// SIGTERM/SIGINT stop every role and leave no process behind.
// Behaviour reference: usr.sbin/smtpd/smtpd.c main(), smtpd(), parent_shutdown().
using System.Runtime.InteropServices;
using Smtpd.Interop;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Parent;

internal sealed partial class ParentProcess
{
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    private readonly SmtpdOptions _options;
    private readonly SetupSettings _settings;
    private byte[] _config;
    private Config.SmtpdConfig _model;
    private readonly List<(int Listener, System.Net.Sockets.Socket Socket)> _listeners;
    private readonly Dictionary<ProcRole, ChildProcess> _children = [];
    private readonly Dictionary<int, Task<WaitStatus>> _exits = [];
    private readonly ChildReaper _reaper = new();
    private readonly TaskCompletionSource<int> _stop = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ServiceManagerNotify _serviceManager = ServiceManagerNotify.FromEnvironment();
    private bool _shuttingDown;
    private ParentFilters? _filters;

    // SIGHUP arrives on a signal thread; the reload runs on the loop.
    private readonly System.Threading.Channels.Channel<bool> _reloadRequests = System.Threading.Channels.Channel.CreateUnbounded<bool>();

    public ParentProcess(SmtpdOptions options, SetupSettings settings, Config.SmtpdConfig config, List<(int Listener, System.Net.Sockets.Socket Socket)> listeners)
    {
        _options = options;
        _settings = settings;
        _model = config;
        _config = Config.ConfigSerializer.Serialize(config);
        _listeners = listeners;
    }

    public string PidFile => Path.ChangeExtension(_settings.ControlSocket, ".pid");

    public int Run()
    {
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnStopSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnStopSignal);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c =>
        {
            c.Cancel = true;
            _reloadRequests.Writer.TryWrite(true);
        });
        return EventLoop.Run(RunAsync);
    }

    /// <summary>A stop asked for over the control socket: a moment for the answer to reach smtpctl first.</summary>
    private async Task StopSoonAsync()
    {
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        _stop.TrySetResult(0);
    }

    private void OnStopSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        Log.Debug($"debug: got signal {(context.Signal == PosixSignal.SIGINT ? Libc.SIGINT : Libc.SIGTERM)}");
        _stop.TrySetResult(0);
    }

    private async Task<int> RunAsync()
    {
        foreach (var role in ProcRoles.Children)
        {
            var child = ChildSpawner.Start(role, _options.Original);
            _children[role] = child;
            _exits[child.Pid] = _reaper.WaitAsync(child.Pid);
        }

        foreach (var child in _children.Values)
        {
            child.Channel.Post(_settings);
            child.Channel.Post(new SetupConfig(_config));
        }

        foreach (var (a, b) in ProcRoles.PeerPairs)
        {
            var (endA, endB) = Posix.SocketPair();
            _children[a].Channel.PostEmpty(ImsgType.SetupPeer, (uint)b, (uint)_children[b].Pid, endA);
            _children[b].Channel.PostEmpty(ImsgType.SetupPeer, (uint)a, (uint)_children[a].Pid, endB);
        }

        // -P: what starts paused is known before the first client or delivery.
        PauseAtStart();

        // The dispatcher gets the sockets bound while we were root; ours close once sent.
        foreach (var (index, socket) in _listeners)
        {
            var fd = Posix.DupAbove(new SafeFd((int)socket.Handle, ownsHandle: false), 3);
            string address = index == SetupListener.EnqueueSocket ? _options.EnqueueSocket : ListenerBinder.Format((System.Net.IPEndPoint)socket.LocalEndPoint!);
            _children[ProcRole.Dispatcher].Channel.Post(new SetupListener(index, address), fd: fd);
            socket.Dispose();
        }

        foreach (var child in _children.Values)
        {
            child.Channel.PostEmpty(ImsgType.SetupDone);
        }

        var watchers = new List<Task>();
        foreach (var child in _children.Values)
        {
            await WaitSetupDoneAsync(child);
            watchers.Add(WatchAsync(child));
        }

        Log.Debug("smtpd: setup done");
        _filters = new ParentFilters(_model, _settings, _reaper);
        _filters.StartAll(_children[ProcRole.Lka].Channel);
        _ = ReloadOnSignalsAsync();
        WritePidFile();
        _serviceManager.Ready(ReadyStatus());
        _ = new Enqueue.OfflineImport(_settings.QueueDir, _settings.Privileged, _settings.ControlSocket, _options.EnqueueSocket, _reaper.WaitAsync).RunAsync();

        int code = await _stop.Task;
        await ShutdownAsync();
        GcStats.LogAtExit("parent");
        return code;
    }

    private async Task WaitSetupDoneAsync(ChildProcess child)
    {
        using var timeout = new CancellationTokenSource(SetupTimeout);
        Imsg? msg = null;
        try
        {
            if (await child.Channel.Inbound.WaitToReadAsync(timeout.Token))
            {
                child.Channel.Inbound.TryRead(out msg);
            }
        }
        catch (OperationCanceledException)
        {
            await FailAsync($"{child.Role.ShortTitle()} did not finish its setup in time");
        }
        catch (ImsgFormatException e)
        {
            await FailAsync($"{child.Role.Name()}: {e.Message}");
        }

        if (msg is null)
        {
            var status = await _exits[child.Pid];
            _children.Remove(child.Role);
            await FailAsync($"lost processor: {child.Role.ShortTitle()} {status.Describe()}");
        }

        using (msg)
        {
            if (msg!.Type != ImsgType.SetupDone)
            {
                await FailAsync("expect IMSG_SETUP_DONE");
            }
        }

        Log.Debug($"setup_done: {child.Role.Name()}[{child.Pid}] done");
    }

    /// <summary>Serves one role's messages until its socket closes, then reaps it.</summary>
    private async Task WatchAsync(ChildProcess child)
    {
        try
        {
            await foreach (var msg in child.Channel.ReadAllHereAsync())
            {
                using (msg)
                {
                    ImsgTrace.Received(ProcRole.Parent, child.Role, msg);
                    Dispatch(child, msg);
                }
            }
        }
        catch (ImsgFormatException e)
        {
            Log.Warn($"warn: {child.Role.Name()}: {e.Message}");
            Posix.Kill(child.Pid, Libc.SIGKILL);
        }

        var status = await _exits[child.Pid];
        _children.Remove(child.Role);
        if (!_shuttingDown)
        {
            Log.Warn($"warn: lost processor: {child.Role.ShortTitle()} {status.Describe()}");
            _stop.TrySetResult(1);
        }
    }

    private async Task FailAsync(string why)
    {
        Log.Warn("warn: " + why);
        await ShutdownAsync();
        Environment.Exit(1);
    }

    // What `systemctl status` shows while the daemon runs.
    private string ReadyStatus()
    {
        int network = _listeners.Count(l => l.Listener != SetupListener.EnqueueSocket);
        return $"accepting mail on {network} listener{(network == 1 ? "" : "s")}";
    }

    private async Task ShutdownAsync()
    {
        if (!_shuttingDown)
        {
            _serviceManager.Stopping("stopping");
        }

        _shuttingDown = true;
        _filters?.StopAll();
        var remaining = new List<ChildProcess>(_children.Values);
        foreach (var child in remaining)
        {
            // A closed parent socket is every role's cue to exit (their imsg handler gets NULL).
            child.Channel.Close();
        }

        var deadline = DateTime.UtcNow + StopGrace;
        foreach (var child in remaining)
        {
            var wait = _exits[child.Pid];
            var left = deadline - DateTime.UtcNow;
            if (left < TimeSpan.Zero || await Task.WhenAny(wait, Task.Delay(left)) != wait)
            {
                Log.Warn($"warn: {child.Role.Name()} did not exit; killing it");
                Posix.Kill(child.Pid, Libc.SIGKILL);
            }
        }

        TryDelete(_settings.ControlSocket);
        TryDelete(_options.EnqueueSocket);
        TryDelete(PidFile);
        Log.Info("Exiting");
    }

    private void WritePidFile()
    {
        try
        {
            File.WriteAllText(PidFile, Posix.GetPid().ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Warn($"warn: pidfile {PidFile}: {e.Message}");
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing to clean up, or not ours to remove.
        }
    }
}
