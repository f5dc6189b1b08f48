// The scheduler role: the in-memory view of every envelope. It decides when each is tried and
// asks the queue to start deliveries; it holds no files. Chrooted to the empty directory.
// Behaviour reference: usr.sbin/smtpd/scheduler.c.
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Scheduler;

internal sealed partial class SchedulerProcess : RoleProcess
{
    /// <summary>At most this many deliveries in flight at once, all kinds together.</summary>
    public const int MaxInFlight = 256;

    private readonly SchedulerQueue _queue = new();
    private TaskCompletionSource _wake = new();

    // When delayed mail gets a warning (bounce warn-interval); OpenSMTPD's default is 4 hours.
    private long[] _warnIntervals = [4 * 3600];

    public override ProcRole Role => ProcRole.Scheduler;

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public override Task StartAsync()
    {
        var config = Model;
        if (config.BounceWarnIntervals.Count > 0)
        {
            _warnIntervals = [.. config.BounceWarnIntervals.Select(i => (long)i).Order()];
        }

        _ = RunAsync();
        return Task.CompletedTask;
    }

    /// <summary>The scheduling loop: hand out what is due, then sleep until the next due time or news.</summary>
    private async Task RunAsync()
    {
        while (true)
        {
            long now = Now;
            int room = MaxInFlight - _queue.InFlightCount;
            if (room > 0)
            {
                foreach (var e in _queue.TakeDue(now, room))
                {
                    Log.Trace(TraceFlags.Scheduler, $"scheduler: deliver evp:{e.EvpId:x16}");
                    Peers[ProcRole.Queue].PostAs(ImsgType.SchedulerDeliver, new ScheduleEntry(e.EvpId, (byte)e.Kind, e.Creation, e.Expire - e.Creation, e.Retry));
                }
            }

            foreach (var e in _queue.TakeExpired(now))
            {
                Log.Trace(TraceFlags.Scheduler, $"scheduler: expire evp:{e.EvpId:x16}");
                Peers[ProcRole.Queue].PostAs(ImsgType.SchedulerDeliveryResult, new DeliveryOutcome(e.EvpId, ExpiredStatus, "Envelope expired"));
            }

            long? next = _queue.NextWakeup();
            var delay = next is null ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(Math.Clamp(next.Value - Now, 0, 3600));
            if (delay != TimeSpan.Zero || _queue.InFlightCount >= MaxInFlight)
            {
                // News (a new envelope, a finished attempt) wakes the loop early.
                await Task.WhenAny(_wake.Task, Task.Delay(delay == TimeSpan.Zero ? TimeSpan.FromSeconds(1) : delay));
                _wake = new TaskCompletionSource();
            }
        }
    }

    /// <summary>The status the scheduler sends back to the queue for an envelope it gave up on.</summary>
    public const byte ExpiredStatus = 4;

    private void Wake() => _wake.TrySetResult();
}
