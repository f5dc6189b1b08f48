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

    public override ProcRole Role => ProcRole.Control;

    public override void BeforeDrop()
    {
        _listener = ControlSocket.Create(Settings.ControlSocket);
        _adminUid = Settings.Privileged ? 0 : Posix.GetEUid();
        _startedUnix = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    }

    public override Task StartAsync()
    {
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
            catch (SocketException e)
            {
                Log.Warn($"warn: control: accept: {e.Message}");
                continue;
            }

            _ = ServeClientAsync(client);
        }
    }

    private async Task ServeClientAsync(Socket client)
    {
        uint? uid = ControlSocket.PeerUid(client);

        // Our IPC channel owns a plain blocking descriptor; the Socket object steps aside.
        var fd = Posix.DupAbove(new SafeFd((int)client.Handle, ownsHandle: false), 3);
        client.Dispose();
        Posix.SetNonBlocking(fd, false);
        using var channel = new ImsgChannel(fd, "smtpctl", inboundCapacity: 16);
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

                    if (uid != _adminUid && uid != 0)
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
            foreach (var id in _waiting.Where(w => w.Value == channel).Select(w => w.Key).ToList())
            {
                _waiting.Remove(id);
            }

            channel.Flush(TimeSpan.FromSeconds(5));
        }
    }

    private void HandleClientRequest(ImsgChannel client, Imsg msg)
    {
        switch (msg.Type)
        {
            case ImsgType.CtlShowStatus:
                msg.ExpectEmpty();
                client.Post(new CtlStatus(false, false, false, _startedUnix, Posix.GetPPid()));
                break;
            case ImsgType.CtlVerbose:
                var level = msg.Read<CtlVerbose>();
                Log.SetVerbose(level.Level);
                foreach (var (_, peer) in Peers)
                {
                    peer.Post(level);
                }

                client.Post(new CtlResult(true, string.Empty));
                break;
            case ImsgType.CtlUpdateTable:
                var update = msg.Read<CtlUpdateTable>();
                if (update.Name.Length == 0 || update.Name.Length >= 4096)
                {
                    client.Post(new CtlResult(false, "invalid table name"));
                    break;
                }

                uint id = ++_nextClientId;
                _waiting[id] = client;
                Peers[ProcRole.Lka].Post(update, peerId: id);
                break;
            case ImsgType.CtlShowQueue:
                msg.ExpectEmpty();
                uint listing = ++_nextClientId;
                _waiting[listing] = client;
                Peers[ProcRole.Scheduler].PostEmpty(ImsgType.CtlShowQueue, listing);
                break;
            default:
                client.Post(new CtlResult(false, "command not supported"));
                break;
        }
    }
}
