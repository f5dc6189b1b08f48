// The scheduler role: the in-memory view of every envelope. It decides when each is tried and
// asks the queue to start deliveries, no more at once than its in-flight limits allow; it holds
// no files, and a restart rebuilds it from what the queue reloads. Chrooted to the empty directory.
// Behaviour reference: usr.sbin/smtpd/scheduler.c.
using Smtpd.Config;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Scheduler;

internal sealed partial class SchedulerProcess : RoleProcess
{
    private SchedulerQueue? _queue;
    private TaskCompletionSource _wake = new();

    // When delayed mail gets a warning (bounce warn-interval); OpenSMTPD's default is 4 hours.
    private long[] _warnIntervals = [4 * 3600];

    public override ProcRole Role => ProcRole.Scheduler;

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    // smtpd -P mda|mta, from the parent during setup: applied as the schedule is built.
    private readonly List<DeliveryKind> _pausedAtStart = [];

    // The queue may report envelopes before StartAsync runs: the schedule is built on first use.
    private SchedulerQueue Queue => _queue ??= Configure(Model);

    public override bool OnSetupMessage(Imsg msg)
    {
        if (msg.Type is not (ImsgType.CtlPauseMda or ImsgType.CtlPauseMta))
        {
            return false;
        }

        msg.ExpectEmpty();
        _pausedAtStart.Add(msg.Type == ImsgType.CtlPauseMda ? DeliveryKind.Mda : DeliveryKind.Mta);
        return true;
    }

    public override Task StartAsync()
    {
        Log.Debug($"debug: scheduler: max-inflight {Queue.MaxInFlight}, {Queue.MaxInFlightPerDomain} per domain");
        _ = RunAsync();
        return Task.CompletedTask;
    }

    /// <summary>
    /// The global limit is "scheduler limit max-inflight" (OpenSMTPD's keyword and default); the
    /// per-domain one has no keyword in smtpd.conf and follows it (<see cref="SchedulerQueue.DomainShare"/>).
    /// </summary>
    internal static int MaxInFlightOf(SmtpdConfig config)
    {
        long max = SchedulerQueue.DefaultMaxInFlight;
        foreach (var limit in config.SchedulerLimits)
        {
            if (limit.Key == "max-inflight")
            {
                max = limit.Value;
            }
        }

        // Zero would never deliver anything: one at a time is the least that works.
        return (int)Math.Clamp(max, 1, int.MaxValue);
    }

    private SchedulerQueue Configure(SmtpdConfig config)
    {
        WarnIntervals(config);
        var queue = new SchedulerQueue(MaxInFlightOf(config));
        foreach (var kind in _pausedAtStart)
        {
            queue.Pause(kind);
        }

        return queue;
    }

    /// <summary>smtpctl reload: the scheduler's limit and the delay warnings' intervals, from the new file.</summary>
    private void Reconfigure(SmtpdConfig config)
    {
        WarnIntervals(config);
        Queue.SetLimits(MaxInFlightOf(config));
        Log.Info($"info: scheduler: configuration reloaded (max-inflight {Queue.MaxInFlight})");
        Wake();
    }

    private void WarnIntervals(SmtpdConfig config) =>
        _warnIntervals = config.BounceWarnIntervals.Count > 0 ? Sorted(config.BounceWarnIntervals) : [4 * 3600];

    // (A loop: LINQ to a struct result costs idle memory, see smtpd.csproj.)
    private static long[] Sorted(ValueList<int> seconds)
    {
        var sorted = new long[seconds.Count];
        for (int i = 0; i < sorted.Length; i++)
        {
            sorted[i] = seconds[i];
        }

        Array.Sort(sorted);
        return sorted;
    }

    /// <summary>The scheduling loop: hand out what is due, then sleep until the next due time or news.</summary>
    private async Task RunAsync()
    {
        while (true)
        {
            long now = Now;
            foreach (var e in Queue.TakeDue(now))
            {
                Log.Trace(TraceFlags.Scheduler, $"scheduler: deliver evp:{e.EvpId:x16}");
                Stat.Increment("scheduler.envelope.inflight");
                Peers[ProcRole.Queue].PostAs(ImsgType.SchedulerDeliver, new ScheduleEntry(e.EvpId, e.Kind, e.Creation, e.Expire - e.Creation, e.Retry, e.LastBounce, e.Domain.Name));
            }

            foreach (var e in Queue.TakeExpired(now))
            {
                Log.Trace(TraceFlags.Scheduler, $"scheduler: expire evp:{e.EvpId:x16}");
                Stat.Increment("scheduler.envelope.expired");
                Stat.Decrement("scheduler.envelope");
                Peers[ProcRole.Queue].PostAs(ImsgType.SchedulerDeliveryResult, new DeliveryOutcome(e.EvpId, DeliveryOutcomeStatus.Expired, "Envelope expired"));
            }

            // With every slot taken, NextWakeup names only expiries: a result wakes the loop for the rest.
            long? next = Queue.NextWakeup();
            var delay = next is null ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(Math.Clamp(next.Value - Now, 0, 3600));
            if (delay != TimeSpan.Zero)
            {
                // News (a new envelope, a finished attempt) wakes the loop early.
                await Task.WhenAny(_wake.Task, Task.Delay(delay));
                _wake = new TaskCompletionSource();
            }
        }
    }

    private void Wake() => _wake.TrySetResult();
}
