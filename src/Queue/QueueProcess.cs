// The queue role: the only process that touches the spool. Runs as _smtpq, chrooted into the
// spool directory, which it lays out (OpenSMTPD's modes and owners) while still root. At start
// it purges what was never acknowledged and tells the scheduler about every queued envelope.
// Behaviour reference: usr.sbin/smtpd/queue.c, queue_fs.c queue_fs_init().
using Smtpd.Interop;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Queue;

internal sealed partial class QueueProcess : RoleProcess, IDisposable
{
    /// <summary>OpenSMTPD's default envelope lifetime: four days.</summary>
    public const long DefaultTtl = 4 * 24 * 3600;

    // Bodies handed out at create time wait here until the dispatcher opens them at DATA.
    private readonly Dictionary<uint, SafeFd> _bodies = [];

    // Envelopes submitted for messages not yet committed, by message id.
    private readonly Dictionary<uint, List<Envelope>> _envelopes = [];

    // Commits in progress on the commit thread, by message id (see QueueTransactions.MessageCommit).
    private readonly Dictionary<uint, Task<QueueResult>> _commits = [];
    private IQueueBackend? _backend;
    private QueueCommitter? _committer;
    private QueueSpaceGuard? _space;
    private long _ttl = DefaultTtl;

    // Actions with a ttl of their own; the others (and bounces) use the queue's.
    private Dictionary<string, long> _actionTtls = [];

    public override ProcRole Role => ProcRole.Queue;

    // Queue encryption (AES-GCM) uses OpenSSL.
    public override bool NeedsCrypto => Model.QueueEncryption;

    private IQueueBackend Backend => _backend!;

    private QueueCommitter Committer => _committer ??= new QueueCommitter(Backend);

    private ImsgChannel Scheduler => Peers[ProcRole.Scheduler];

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public override string UserName(SetupSettings settings) => settings.QueueUser;

    public override string? ChrootDir(SetupSettings settings) => settings.QueueDir;

    public override void BeforeDrop() => QueueSpool.Prepare(Settings);

    public override Task StartAsync()
    {
        var config = Model;
        _ttl = config.QueueTtl ?? DefaultTtl;
        _actionTtls = config.Actions.Where(a => a.Ttl is not null).ToDictionary(a => a.Name, a => (long)a.Ttl!.Value, StringComparer.Ordinal);
        byte[]? key = config.QueueEncryption && config.QueueKey is { } k ? System.Text.Encoding.ASCII.GetBytes(k) : null;
        if (key is not null && key.Length != QueueEncryption.KeySize)
        {
            Log.FatalX("crypto_setup: invalid key for queue encryption");
        }

        // Chrooted into the spool when root; the spool path itself otherwise.
        string root = Settings.Privileged ? "/" : Settings.QueueDir;
        _backend = Options.QueueBackend == "ram" ? StartInMemory(config) : StartOnDisk(root, config.QueueCompression, key);
        _space = new QueueSpaceGuard(root, config.SmtpMaxMessageSize ?? QueueSpaceGuard.DefaultMaxMessageSize);
        var init = Backend.Init();
        if (!init.IsOk)
        {
            Log.FatalX($"could not initialize queue backend: {init}");
        }

        LoadQueue();
        return Task.CompletedTask;
    }

    private static FsQueueBackend StartOnDisk(string root, bool compression, byte[]? key)
    {
        if (compression)
        {
            Log.Info("queue: queue compression enabled");
        }

        if (key is not null)
        {
            Log.Info("queue: queue encryption enabled");
        }

        return new FsQueueBackend(root, new QueueOptions { Compression = compression, EncryptionKey = key });
    }

    /// <summary>The ram backend (-B queue=ram), announced as what it is: nothing queued survives a stop.</summary>
    private static RamQueueBackend StartInMemory(Config.SmtpdConfig config)
    {
        Log.Warn("warn: queue: using the ram queue backend: queued mail is kept in memory only and is LOST when smtpd stops or crashes");
        if (config.QueueCompression || config.QueueEncryption)
        {
            Log.Warn("warn: queue: queue compression and encryption do not apply to the ram queue backend");
        }

        return new RamQueueBackend();
    }

    /// <summary>Every envelope on disk goes to the scheduler; unreadable ones were moved to corrupt/.</summary>
    private void LoadQueue()
    {
        int loaded = 0;
        foreach (var entry in Backend.EnvelopeWalk())
        {
            if (entry.Envelope is null)
            {
                Log.Warn($"warn: queue: envelope {entry.Id} moved to corrupt/: {entry.Reason}");
                continue;
            }

            Schedule(entry.Envelope);
            loaded++;
        }

        Log.Debug($"debug: queue: {loaded} envelopes loaded");
    }

    public void Dispose()
    {
        _committer?.Dispose();
        _backend?.Dispose();
        foreach (var fd in _bodies.Values)
        {
            fd.Dispose();
        }
    }

    // How long an envelope may stay, as OpenSMTPD's scheduler decides it (scheduler_info): from its
    // action's ttl or the queue's, never from the ttl field on disk, which OpenSMTPD writes as 0:
    // its envelopes, taken over with its spool, would otherwise all expire at once.
    private long TtlOf(Envelope e) =>
        e.Type != EnvelopeType.Bounce && _actionTtls.TryGetValue(e.Dispatcher, out long ttl) ? ttl : _ttl;

    private void Schedule(Envelope e) =>
        Scheduler.PostAs(ImsgType.SchedulerEnvelopeNew, new ScheduleEntry(e.Id.Value, (DeliveryKind)e.Type, e.CreationTime, TtlOf(e), e.Retry, e.LastBounce, e.Dest.Domain));
}
