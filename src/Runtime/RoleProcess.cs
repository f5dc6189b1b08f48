// What every role supplies to RoleHost: who it runs as, where it is locked in, what it must do
// while still privileged, and its one message switch (the <Role>Imsg.cs partial).
using Smtpd.Config;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;

namespace Smtpd.Runtime;

internal abstract class RoleProcess
{
    public abstract ProcRole Role { get; }

    /// <summary>
    /// Whether the role uses OpenSSL with this configuration (and so must load it before chroot).
    /// Asked after setup: a role that needs no TLS, keys or queue encryption never maps libcrypto,
    /// which is about 1.4 MiB of each process's memory.
    /// </summary>
    public virtual bool NeedsCrypto => false;

    /// <summary>The configuration the parent sent, decoded once on first use.</summary>
    public SmtpdConfig Model => _model ??= ConfigSerializer.Deserialize(ConfigBlob);

    /// <summary>The settings and configuration the parent sent during setup.</summary>
    public SetupSettings Settings { get; private set; }

    public byte[] ConfigBlob { get; private set; } = [];

    /// <summary>The command line the role was started with (the parent's, re-executed with -x ROLE).</summary>
    public SmtpdOptions Options { get; internal set; } = new();

    private SmtpdConfig? _model;

    /// <summary>Channels to the parent and to every peer role this role talks to.</summary>
    public IReadOnlyDictionary<ProcRole, ImsgChannel> Peers { get; private set; } = new Dictionary<ProcRole, ImsgChannel>();

    /// <summary>The user the role becomes when started as root.</summary>
    public virtual string UserName(SetupSettings settings) => settings.SmtpdUser;

    /// <summary>The directory the role is locked into when started as root; null for none.</summary>
    public virtual string? ChrootDir(SetupSettings settings) => settings.EmptyDir;

    /// <summary>A role-specific setup message (listening sockets for the dispatcher); false if unexpected.</summary>
    public virtual bool OnSetupMessage(Imsg msg) => false;

    /// <summary>Work that needs the privileges the role is about to lose (sockets in /var/run, spool ownership).</summary>
    public virtual void BeforeDrop()
    {
    }

    /// <summary>Starts the role's own work, on the loop, once setup is complete.</summary>
    public virtual Task StartAsync() => Task.CompletedTask;

    /// <summary>
    /// <paramref name="peer"/>'s channel closed: requests still waiting for its replies are failed
    /// here (ImsgRequests.FailAll), so no one waits for an answer that cannot come.
    /// </summary>
    public virtual void OnPeerLost(ProcRole peer)
    {
    }

    /// <summary>One message from <paramref name="from"/>: the role's switch on its type.</summary>
    public abstract ValueTask DispatchAsync(ProcRole from, Imsg msg);

    internal void Configure(SetupSettings settings, byte[] config, IReadOnlyDictionary<ProcRole, ImsgChannel> peers)
    {
        Settings = settings;
        ConfigBlob = config;
        Peers = peers;
        Stat.Attach(peers.GetValueOrDefault(ProcRole.Control));
    }

    /// <summary>Messages every role understands; returns false for the role's own switch to handle.</summary>
    protected static bool DispatchCommon(ImsgChannel from, Imsg msg)
    {
        switch (msg.Type)
        {
            case ImsgType.CtlVerbose:
                Log.SetVerbose(msg.Read<CtlVerbose>().Level);
                return true;
            case ImsgType.CtlTraceSet:
                Log.SetTrace((TraceFlags)msg.ReadAs<CtlFlags>().Flags);
                return true;
            case ImsgType.Ping:
                from.Post(new Pong(msg.Read<Ping>().Sequence));
                return true;
            default:
                return false;
        }
    }

    /// <summary>An unexpected message is a broken invariant, as in OpenSMTPD's imsg switches.</summary>
    protected void Unexpected(ProcRole from, Imsg msg) =>
        Log.FatalX($"{Role.Name()}_imsg: unexpected {msg.Type} imsg from {from.Name()}");
}
