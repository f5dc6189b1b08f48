// The parent's delivery helpers (`smtpd -x mda`), kept between deliveries: one helper runs one
// job at a time as one user, and a helper left idle is reused for that user's next delivery and
// closed after IdleTimeout. Starting a process per delivery cost more CPU than everything else a
// message needs; with the dispatcher's limits (50 in flight, 7 per user) at most that many
// helpers are busy. A helper that dies, answers garbage or overruns the delivery timeout is
// killed and never reused; the delivery it had is deferred.
// Helpers that write mail themselves (maildir, mbox, lmtp) run at a low priority (nice 19,
// SMTPD_MDA_NICE): when the CPUs are short, sessions waiting for their 250 go first and the
// queue holds the mail a little longer. A delivery is mostly kernel work (allocating the file's
// inode, fsync), and without this the helpers took the CPU reception needed: the queue only
// accepted as fast as it delivered. Commands (`mda`, `|` in aliases) run at the daemon's
// priority, as OpenSMTPD runs them, in helpers of their own: a nice value cannot be lowered again.
using Smtpd.Interop;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Parent;

internal sealed class ParentMdaHelperPool
{
    /// <summary>A delivery still running after this long is killed and the attempt deferred.</summary>
    public static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(10);

    /// <summary>How long an unused helper waits for another delivery to its user.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(5);

    /// <summary>At most this many helpers wait idle; beyond it a finished helper is closed.</summary>
    private const int MaxIdle = 32;

    /// <summary>The nice value of helpers that write mail themselves, unless SMTPD_MDA_NICE says otherwise.</summary>
    private const int DefaultNice = 19;

    private readonly ChildReaper _reaper;
    private readonly Dictionary<(uint Uid, uint Gid, bool Drop, bool Niced), Stack<Helper>> _idle = [];
    private int _idleCount;
    private Task? _sweeper;

    // A fixed PATH, a 1 MiB allocation budget between collections (a helper allocates a few KiB
    // per delivery; with the default budget each of a busy user's seven helpers grew from 7 to
    // 15 MiB before its first collection), plus the benchmark's GC statistics switch when the
    // daemon has it. The commands of "mda" actions get an environment of their own.
    private static readonly string[] HelperEnvironment = Environment.GetEnvironmentVariable("SMTPD_GC_STATS") is { Length: > 0 } gc
        ? ["PATH=/usr/bin:/bin", "DOTNET_GCgen0size=100000", "SMTPD_GC_STATS=" + gc]
        : ["PATH=/usr/bin:/bin", "DOTNET_GCgen0size=100000"];

    private static readonly string[] NicedHelperEnvironment = [.. HelperEnvironment, "SMTPD_MDA_NICE=" + NiceLevel()];

    private readonly bool _debug;

    /// <param name="reaper">The parent's reaper.</param>
    /// <param name="debug">The daemon runs with -d: helpers log to its stderr too.</param>
    public ParentMdaHelperPool(ChildReaper reaper, bool debug)
    {
        _reaper = reaper;
        _debug = debug;
    }

    /// <summary>Runs <paramref name="job"/> (taking <paramref name="message"/>) in a helper for its user.</summary>
    public async Task<DeliveryOutcome> DeliverAsync(MdaJob job, SafeFd message)
    {
        var key = (job.Uid, job.Gid, job.DropPrivileges, Niced: job.Method != MdaMethod.Command);
        Helper helper;
        try
        {
            helper = TakeIdle(key) ?? Start(key.Niced);
        }
        catch (PosixException e)
        {
            message.Dispose();
            return new DeliveryOutcome(job.EvpId, DeliveryOutcomeStatus.TempFail, e.Message);
        }

        bool timedOut = false;
        try
        {
            helper.Channel.Post(job, fd: message);
            var reply = helper.Channel.Inbound.ReadAsync().AsTask();
            using var timeout = new CancellationTokenSource();
            var timer = Task.Delay(JobTimeout, timeout.Token);
            var done = await Task.WhenAny(reply, helper.Process.Exit, timer);
            timeout.Cancel();
            timedOut = done == timer;
            if (done == reply && reply.Status == TaskStatus.RanToCompletion)
            {
                using var msg = reply.Result;
                try
                {
                    var outcome = msg.ReadAs<DeliveryOutcome>();
                    if (msg.Type == ImsgType.MdaDone && outcome.EvpId == job.EvpId)
                    {
                        Release(key, helper);
                        return outcome;
                    }

                    Log.Warn($"warn: smtpd: delivery helper for evp:{job.EvpId:x16} answered for evp:{outcome.EvpId:x16}");
                }
                catch (ImsgFormatException e)
                {
                    Log.Warn($"warn: smtpd: delivery helper for evp:{job.EvpId:x16} sent garbage: {e.Message}");
                }
            }
        }
        catch
        {
            // Not ours to judge (the caller turns it into a temporary failure), but the helper
            // may be half way through a job nobody waits for: it must not be reused.
            _ = Discard(helper);
            throw;
        }

        // No usable answer: the helper is gone, stuck or confused. Kill it and defer the mail.
        var status = await Discard(helper);
        Log.Debug($"debug: smtpd: mda process done for evp:{job.EvpId:x16}: {status.Describe()}");
        return new DeliveryOutcome(job.EvpId, DeliveryOutcomeStatus.TempFail, timedOut ? "terminated; timeout" : "delivery helper " + status.Describe());
    }

    // Kills a helper that is not to be used again and waits for the reaper to collect it.
    private static async Task<WaitStatus> Discard(Helper helper)
    {
        helper.Process.Kill(Libc.SIGKILL);
        helper.Channel.Dispose();
        var status = await helper.Process.Exit;
        helper.Process.Dispose();
        return status;
    }

    /// <summary>SMTPD_MDA_NICE when it is a number from 0 to 19, else <see cref="DefaultNice"/>.</summary>
    private static int NiceLevel() =>
        int.TryParse(Environment.GetEnvironmentVariable("SMTPD_MDA_NICE"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n <= 19
            ? n
            : DefaultNice;

    private Helper Start(bool niced)
    {
        var (mine, theirs) = Posix.SocketPair();
        try
        {
            using var devnull = Posix.Open("/dev/null", Libc.O_RDWR);
            using var stderr = new SafeFd(2, ownsHandle: false);
            string[] argv = _debug ? ["smtpd", "-x", "mda", "-d"] : ["smtpd", "-x", "mda"];
            int pid = Posix.Spawn(ChildSpawner.SelfPath(), argv, niced ? NicedHelperEnvironment : HelperEnvironment, [(devnull, 0), (devnull, 1), (_debug ? stderr : devnull, 2), (theirs, 3)]);
            var channel = new ImsgChannel(mine, "mda");
            channel.Start();
            return new Helper(ChildHandle.Open(pid, _reaper.WaitAsync(pid)), channel);
        }
        catch
        {
            mine.Dispose();
            throw;
        }
        finally
        {
            theirs.Dispose();
        }
    }

    private Helper? TakeIdle((uint, uint, bool, bool) key)
    {
        if (!_idle.TryGetValue(key, out var stack))
        {
            return null;
        }

        while (stack.TryPop(out var helper))
        {
            _idleCount--;
            if (!helper.Process.Exit.IsCompleted)
            {
                return helper;
            }

            Close(helper);
        }

        return null;
    }

    private void Release((uint, uint, bool, bool) key, Helper helper)
    {
        if (_idleCount >= MaxIdle || helper.Process.Exit.IsCompleted)
        {
            Close(helper);
            return;
        }

        helper.IdleSince = Environment.TickCount64;
        if (!_idle.TryGetValue(key, out var stack))
        {
            _idle[key] = stack = new Stack<Helper>();
        }

        stack.Push(helper);
        _idleCount++;
        _sweeper ??= SweepLoopAsync();
    }

    // Runs on the parent's loop (the awaits resume there), as every other use of the pool does.
    private async Task SweepLoopAsync()
    {
        while (true)
        {
            await Task.Delay(IdleTimeout);
            Sweep();
        }
    }

    // Closes the helpers idle for longer than IdleTimeout.
    private void Sweep()
    {
        long now = Environment.TickCount64;
        foreach (var (key, stack) in _idle.ToList())
        {
            var keep = stack.Where(h => now - h.IdleSince < (long)IdleTimeout.TotalMilliseconds && !h.Process.Exit.IsCompleted).Reverse().ToList();
            foreach (var h in stack.Except(keep))
            {
                Close(h);
            }

            _idleCount -= stack.Count - keep.Count;
            if (keep.Count == 0)
            {
                _idle.Remove(key);
            }
            else
            {
                _idle[key] = new Stack<Helper>(keep);
            }
        }
    }

    // Closing the socket is the helper's cue to exit; the reaper collects it.
    private static void Close(Helper helper)
    {
        helper.Channel.Dispose();
        _ = helper.Process.Exit.ContinueWith(_ => helper.Process.Dispose(), TaskScheduler.Default);
    }

    private sealed class Helper(ChildHandle process, ImsgChannel channel)
    {
        public ChildHandle Process { get; } = process;

        public ImsgChannel Channel { get; } = channel;

        public long IdleSince { get; set; }
    }
}
