using Smtpd.Ipc.Messages;
using Smtpd.Scheduler;

namespace Smtpd.Tests.Scheduler;

public class SchedulerQueueTests
{
    private const long T0 = 1_700_000_000;
    private const long FourDays = 4 * 86400;

    [Fact]
    public void ANewEnvelopeIsDueAtOnceAndHandedOutOnlyOnce()
    {
        var q = new SchedulerQueue();
        q.Insert(0x1111_0000_0000_0001, DeliveryKind.Mda, T0, FourDays, 0, T0);
        Assert.Equal([0x1111_0000_0000_0001UL], q.TakeDue(T0).Select(e => e.EvpId));
        Assert.Empty(q.TakeDue(T0 + 1000));
        Assert.Equal(1, q.InFlightCount);
    }

    [Fact]
    public void TemporaryFailuresBackOffQuadraticallyFromCreation()
    {
        var q = new SchedulerQueue();
        q.Insert(1, DeliveryKind.Mda, T0, FourDays, 0, T0);
        q.TakeDue(T0);
        q.TempFail(1, T0 + 1);
        Assert.Equal(T0 + 10, q.NextWakeup());
        Assert.Empty(q.TakeDue(T0 + 9));
        Assert.Single(q.TakeDue(T0 + 10));
        q.TempFail(1, T0 + 10);
        Assert.Equal(T0 + 40, q.NextWakeup());

        q.Insert(2, DeliveryKind.Mta, T0, FourDays, 0, T0);
        q.TakeDue(T0);
        q.TempFail(2, T0 + 5);
        Assert.Equal(T0 + 400, q.TakeDue(T0 + 400).Single(e => e.EvpId == 2).Next);
    }

    [Fact]
    public void AReloadedEnvelopeResumesItsBackoffAfterARestart()
    {
        var q = new SchedulerQueue();
        var e = q.Insert(3, DeliveryKind.Mta, T0, FourDays, 3, T0 + 3000);
        Assert.Equal(T0 + 400 * 9, e.Next);
        var late = q.Insert(4, DeliveryKind.Mta, T0, FourDays, 3, T0 + 10_000);
        Assert.Equal(T0 + 400 * 36, late.Next);
    }

    [Fact]
    public void EnvelopesExpireAfterTheirTtlAndAreNotDeliveredThen()
    {
        var q = new SchedulerQueue();
        q.Insert(5, DeliveryKind.Mta, T0, 3600, 0, T0);
        q.TakeDue(T0);
        q.TempFail(5, T0 + 10);
        Assert.Empty(q.TakeExpired(T0 + 3599));
        Assert.Empty(q.TakeDue(T0 + 3600));
        Assert.Equal([5UL], q.TakeExpired(T0 + 3600).Select(x => x.EvpId));
        Assert.Equal(0, q.Count);
    }

    [Fact]
    public void HeldEnvelopesWaitAndScheduleNowOverridesTheBackoff()
    {
        var q = new SchedulerQueue();
        q.Insert(6, DeliveryKind.Mda, T0, FourDays, 0, T0);
        q.Hold(6, true);
        Assert.Empty(q.TakeDue(T0));
        q.Hold(6, false);
        q.TakeDue(T0);
        q.TempFail(6, T0);
        Assert.True(q.ScheduleNow(6, T0 + 1));
        Assert.Single(q.TakeDue(T0 + 1));
        Assert.False(q.ScheduleNow(99, T0));
    }

    [Fact]
    public void NextWakeupIsTheEarliestAttemptOrExpiry()
    {
        var q = new SchedulerQueue();
        Assert.Null(q.NextWakeup());
        q.Insert(7, DeliveryKind.Mta, T0, 100, 1, T0 + 1);
        Assert.Equal(T0 + 100, q.NextWakeup());
        q.Insert(8, DeliveryKind.Mda, T0, FourDays, 0, T0 + 50);
        Assert.Equal(T0 + 50, q.NextWakeup());
    }

    [Fact]
    public void ADelayWarningIsDueOncePerIntervalWhenTheNextTryComesAfterIt()
    {
        var q = new SchedulerQueue();
        long[] warn = [4 * 3600, 24 * 3600];
        q.Insert(9, DeliveryKind.Mta, T0, FourDays, 0, T0);
        q.TakeDue(T0);
        q.TempFail(9, T0 + 60);
        Assert.Null(q.DueWarning(9, warn));

        // The 4th attempt (retry 4 → creation + 400 * 16 s, past 4 h) warns for the 4 h mark, once.
        q.TempFail(9, T0 + 3 * 3600);
        Assert.Equal((T0 + 4 * 3600, 4 * 3600L), q.DueWarning(9, warn));
        Assert.Null(q.DueWarning(9, warn));
        q.TempFail(9, T0 + 23 * 3600);
        Assert.Equal((T0 + 24 * 3600, 24 * 3600L), q.DueWarning(9, warn));
    }

    [Fact]
    public void RandomOperationsHandOutEachDueEnvelopeExactlyOnceAndNeverTooEarly()
    {
        var rng = new Random(11);
        var q = new SchedulerQueue();
        var inFlight = new HashSet<ulong>();
        var gone = new HashSet<ulong>();
        long now = T0;
        for (int step = 0; step < 5000; step++)
        {
            now += rng.Next(0, 30);
            switch (rng.Next(4))
            {
                case 0:
                    q.Insert((ulong)step, (DeliveryKind)rng.Next(3), now, rng.Next(60, 4000), 0, now);
                    break;
                case 1:
                    foreach (var e in q.TakeDue(now, rng.Next(1, 10)))
                    {
                        Assert.True(e.Next <= now && e.Expire > now);
                        Assert.True(inFlight.Add(e.EvpId), "handed out twice");
                    }

                    break;
                case 2 when inFlight.Count > 0:
                    ulong id = inFlight.ElementAt(rng.Next(inFlight.Count));
                    inFlight.Remove(id);
                    if (rng.Next(2) == 0)
                    {
                        q.TempFail(id, now);
                    }
                    else
                    {
                        q.Remove(id);
                        gone.Add(id);
                    }

                    break;
                default:
                    foreach (var e in q.TakeExpired(now))
                    {
                        Assert.DoesNotContain(e.EvpId, inFlight);
                        Assert.True(e.Expire <= now);
                        Assert.True(gone.Add(e.EvpId));
                    }

                    break;
            }

            Assert.Equal(inFlight.Count, q.InFlightCount);
            if (q.NextWakeup() is { } w)
            {
                Assert.True(w >= T0);
            }
        }
    }
}
