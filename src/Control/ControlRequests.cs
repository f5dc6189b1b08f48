// What control does with each smtpctl request: answers from what it keeps itself (paused
// subsystems, counters, trace and profile masks) or relays to the role that can answer, with
// the client's id as peer id so the answer finds its way back.
// Behaviour reference: usr.sbin/smtpd/control.c control_dispatch_ext().
using Smtpd.Interop;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Control;

internal sealed partial class ControlProcess
{
    private readonly ControlStats _stats = new();
    private bool _smtpPaused;
    private bool _mtaPaused;
    private bool _mdaPaused;
    private uint _tracing;
    private uint _profiling;

    private void HandleClientRequest(ImsgChannel client, Imsg msg)
    {
        switch (msg.Type)
        {
            case ImsgType.CtlShowStatus:
                msg.ExpectEmpty();
                client.Post(new CtlStatus(_smtpPaused, _mtaPaused, _mdaPaused, _startedUnix, Posix.GetPPid()));
                break;
            case ImsgType.CtlGetStats:
                msg.ExpectEmpty();
                client.Post(new CtlStats(_startedUnix, _stats.Counters));
                break;
            case ImsgType.CtlGetDigest:
                msg.ExpectEmpty();
                client.Post(_stats.Digest);
                break;
            case ImsgType.CtlVerbose:
                var level = msg.Read<CtlVerbose>();
                Log.SetVerbose(level.Level);
                Broadcast(level);
                Ok(client);
                break;
            case ImsgType.CtlTrace or ImsgType.CtlUntrace:
                uint mask = msg.ReadAs<CtlFlags>().Flags;
                _tracing = msg.Type == ImsgType.CtlTrace ? _tracing | mask : _tracing & ~mask;
                Log.SetTrace((TraceFlags)_tracing);
                foreach (var (_, peer) in Peers)
                {
                    peer.PostAs(ImsgType.CtlTraceSet, new CtlFlags(_tracing));
                }

                Ok(client);
                break;
            case ImsgType.CtlProfile or ImsgType.CtlUnprofile:
                // Profiling is accepted and remembered as OpenSMTPD does; we keep no profiles.
                uint profile = msg.ReadAs<CtlFlags>().Flags;
                _profiling = msg.Type == ImsgType.CtlProfile ? _profiling | profile : _profiling & ~profile;
                Log.Info($"info: profiling {(_profiling == 0 ? "disabled" : $"enabled (mask 0x{_profiling:x})")}");
                Ok(client);
                break;
            case ImsgType.CtlPauseSmtp or ImsgType.CtlResumeSmtp:
                msg.ExpectEmpty();
                Toggle(client, ref _smtpPaused, msg.Type == ImsgType.CtlPauseSmtp, "smtp", ProcRole.Dispatcher, msg.Type);
                break;
            case ImsgType.CtlPauseMda or ImsgType.CtlResumeMda:
                msg.ExpectEmpty();
                Toggle(client, ref _mdaPaused, msg.Type == ImsgType.CtlPauseMda, "mda", ProcRole.Scheduler, msg.Type);
                break;
            case ImsgType.CtlPauseMta or ImsgType.CtlResumeMta:
                msg.ExpectEmpty();
                Toggle(client, ref _mtaPaused, msg.Type == ImsgType.CtlPauseMta, "mta", ProcRole.Scheduler, msg.Type);
                break;
            case ImsgType.CtlEnvelopeCommand:
                Relay(client, ProcRole.Scheduler, msg.Read<CtlEnvelopeCommand>());
                break;
            case ImsgType.CtlDiscover:
                var discover = msg.ReadAs<CtlId>();
                Peers[ProcRole.Queue].PostAs(ImsgType.CtlDiscover, discover, peerId: Wait(client));
                break;
            case ImsgType.CtlUpdateTable:
                var update = msg.Read<CtlUpdateTable>();
                if (update.Name.Length == 0 || update.Name.Length >= 4096)
                {
                    client.Post(new CtlResult(false, "invalid table name"));
                    break;
                }

                Relay(client, ProcRole.Lka, update);
                break;
            case ImsgType.CtlShowQueue:
                msg.ExpectEmpty();
                Peers[ProcRole.Scheduler].PostEmpty(ImsgType.CtlShowQueue, Wait(client));
                break;
            case ImsgType.CtlMtaShow:
                Relay(client, ProcRole.Dispatcher, msg.Read<CtlMtaShow>());
                break;
            case ImsgType.CtlResumeRoute:
                Relay(client, ProcRole.Dispatcher, msg.Read<CtlResumeRoute>());
                break;
            case ImsgType.CtlStop or ImsgType.CtlReload:
                msg.ExpectEmpty();
                Peers[ProcRole.Parent].PostEmpty(msg.Type, Wait(client));
                break;
            default:
                client.Post(new CtlResult(false, "command not supported"));
                break;
        }
    }

    private static void Ok(ImsgChannel client) => client.Post(new CtlResult(true, string.Empty));

    /// <summary>Pause or resume a subsystem: refused when already so (as OpenSMTPD), logged, told to the role that acts.</summary>
    private void Toggle(ImsgChannel? client, ref bool paused, bool pause, string name, ProcRole actor, ImsgType type)
    {
        if (paused == pause)
        {
            client?.Post(new CtlResult(false, string.Empty));
            return;
        }

        paused = pause;
        Log.Info($"info: {name} {(pause ? "paused" : "resumed")}");
        Peers[actor].PostEmpty(type);
        if (client is not null)
        {
            Ok(client);
        }
    }

    /// <summary>smtpd -P: the parent pauses a subsystem at start, with no client to answer.</summary>
    private void PauseAtStart(ImsgType type)
    {
        switch (type)
        {
            case ImsgType.CtlPauseSmtp:
                Toggle(null, ref _smtpPaused, true, "smtp", ProcRole.Dispatcher, type);
                break;
            case ImsgType.CtlPauseMta:
                Toggle(null, ref _mtaPaused, true, "mta", ProcRole.Scheduler, type);
                break;
            default:
                Toggle(null, ref _mdaPaused, true, "mda", ProcRole.Scheduler, type);
                break;
        }
    }

    private uint Wait(ImsgChannel client)
    {
        uint id = ++_nextClientId;
        _waiting[id] = client;
        return id;
    }

    private void Relay<T>(ImsgChannel client, ProcRole to, T request)
        where T : IImsgPayload<T> =>
        Peers[to].Post(request, peerId: Wait(client));

    private void Broadcast<T>(T message)
        where T : IImsgPayload<T>
    {
        foreach (var (_, peer) in Peers)
        {
            peer.Post(message);
        }
    }
}
