// The control role: serves smtpctl on the control socket, relays its requests to the roles that
// can answer, and keeps the daemon-wide flags (paused subsystems) and counters.
// Behaviour reference: usr.sbin/smtpd/control.c.
using System.Net.Sockets;
using Smtpd.Interop;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Control;

internal sealed partial class ControlProcess : RoleProcess
{
    private Socket? _listener;
    private uint _adminUid;
    private long _startedUnix;

    // Clients waiting for another role's answer, by the id sent along as peer id.
    private readonly Dictionary<uint, ImsgChannel> _waiting = [];
    private uint _nextClientId;

    /// <summary>CONTROL_MAXCONN_PER_CLIENT: connections one user may hold at once.</summary>
    internal const int MaxClientsPerUid = 32;

    /// <summary>The largest request an unprivileged client may send (all it can get is "permission denied").</summary>
    internal const int MaxUnprivilegedFrame = 4096;

    private const int ClientBuffer = 4096;

    // ENFILE: the system's file table is full.
    private const int EnfileErrno = 23;

    private static readonly TimeSpan AcceptRetry = TimeSpan.FromSeconds(1);

    private readonly Dictionary<uint, int> _clientsPerUid = [];

    private readonly List<ImsgType> _pausedAtStart = [];

    // Completed when a client leaves, for an accept loop paused for want of descriptors.
    private TaskCompletionSource? _clientLeft;

    public override ProcRole Role => ProcRole.Control;

    public override void BeforeDrop()
    {
        _listener = ControlSocket.Create(Settings.ControlSocket);
        _adminUid = Settings.Privileged ? 0 : Posix.GetEUid();
        _startedUnix = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        _tracing = Settings.Trace;
        Stat.AttachLocal(_stats.Update);
    }

    /// <summary>smtpd -P: the subsystems to pause, sent by the parent during setup.</summary>
    public override bool OnSetupMessage(Imsg msg)
    {
        if (msg.Type is not (ImsgType.CtlPauseSmtp or ImsgType.CtlPauseMta or ImsgType.CtlPauseMda))
        {
            return false;
        }

        msg.ExpectEmpty();
        _pausedAtStart.Add(msg.Type);
        return true;
    }

    public override Task StartAsync()
    {
        // Before the first client is served, so show status never sees them running.
        foreach (var type in _pausedAtStart)
        {
            PauseAtStart(type);
        }

        _ = AcceptLoopAsync();
        return Task.CompletedTask;
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener!.AcceptAsync();
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TooManyOpenSockets || e.NativeErrorCode is (int)Errno.EMFILE or EnfileErrno)
            {
                // Out of descriptors: accept again once a client left, or after a pause, not in a spin.
                Log.Warn("warn: ctl client limit hit, disabling new connections");
                _clientLeft ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                await Task.WhenAny(_clientLeft.Task, Task.Delay(AcceptRetry));
                _clientLeft = null;
                Log.Warn("warn: re-enabling ctl connections");
                continue;
            }
            catch (SocketException e)
            {
                Log.Warn($"warn: control: accept: {e.Message}");
                await Task.Delay(TimeSpan.FromMilliseconds(100));
                continue;
            }

            // Who it is, before reading a byte: that decides how much it may send and whether
            // its user has connections to spare (CONTROL_MAXCONN_PER_CLIENT).
            uint uid = ControlSocket.PeerUid(client) ?? uint.MaxValue;
            int held = _clientsPerUid.GetValueOrDefault(uid);
            if (held >= MaxClientsPerUid)
            {
                Log.Warn($"warn: too many connections to control socket from user with uid {uid}");
                client.Dispose();
                continue;
            }

            _clientsPerUid[uid] = held + 1;
            Stat.Increment("control.session");
            _ = ServeClientAsync(client, uid);
        }
    }

    private async Task ServeClientAsync(Socket client, uint uid)
    {
        bool admin = uid == _adminUid || uid == 0;
        try
        {
            // Our IPC channel owns a plain blocking descriptor; the Socket object steps aside.
            var fd = Posix.DupAbove(new SafeFd((int)client.Handle, ownsHandle: false), 3);
            client.Dispose();
            Posix.SetNonBlocking(fd, false);

            // Whatever an unprivileged user sends is refused, so a few KiB is all it may send:
            // a larger frame ends the connection before any memory is set aside for it.
            using var channel = new ImsgChannel(fd, "smtpctl", inboundCapacity: 16, maxFrame: admin ? ImsgHeader.MaxFrame : MaxUnprivilegedFrame, initialBuffer: ClientBuffer);
            await ServeChannelAsync(channel, admin);
        }
        catch (PosixException e)
        {
            // Out of descriptors for the copy: this client is dropped, the next may fare better.
            Log.Warn($"warn: control: cannot serve client: {e.Message}");
        }
        finally
        {
            client.Dispose();
            Stat.Decrement("control.session");
            if (_clientsPerUid[uid] <= 1)
            {
                _clientsPerUid.Remove(uid);
            }
            else
            {
                _clientsPerUid[uid]--;
            }

            _clientLeft?.TrySetResult();
        }
    }

    private async Task ServeChannelAsync(ImsgChannel channel, bool admin)
    {
        channel.Start();
        try
        {
            await foreach (var msg in channel.ReadAllHereAsync())
            {
                using (msg)
                {
                    if (msg.PeerId != ImsgVersion.Current)
                    {
                        Log.Warn("warn: control_dispatch_ext: imsg version mismatch");
                        return;
                    }

                    if (!admin)
                    {
                        channel.Post(new CtlResult(false, "permission denied"));
                        channel.Flush(TimeSpan.FromSeconds(5));
                        return;
                    }

                    HandleClientRequest(channel, msg);
                }
            }
        }
        catch (ImsgFormatException e)
        {
            Log.Warn($"warn: control: bad request from client: {e.Message}");
        }
        finally
        {
            // A client that left before its answer came is forgotten; the answer is then dropped.
            foreach (var (id, waiter) in _waiting) // (a loop: LINQ to a struct result costs idle memory, see smtpd.csproj)
            {
                if (waiter == channel)
                {
                    _waiting.Remove(id);
                }
            }

            channel.Flush(TimeSpan.FromSeconds(5));
        }
    }
}
