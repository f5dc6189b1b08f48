using Smtpd.Config;
using Smtpd.Ipc.Messages;
using Smtpd.Scheduler;

namespace Smtpd.Tests.Scheduler;

public class SchedulerLimitsTests
{
    private const long T0 = 1_700_000_000;
    private const long FourDays = 4 * 86400;

    [Fact]
    public void TheDefaultsAreOpenSmtpdsMaxInflightAndATenthOfItPerDomain()
    {
        var q = new SchedulerQueue();
        Assert.Equal(5000, q.MaxInFlight);
        Assert.Equal(500, q.MaxInFlightPerDomain);
        Assert.Equal(1, SchedulerQueue.DomainShare(5));
    }

    [Fact]
    public void ABusyDomainGetsItsLimitAndAnotherDomainsMailPassesIt()
    {
        var q = new SchedulerQueue(maxInFlight: 100, maxInFlightPerDomain: 3);
        for (ulong i = 1; i <= 50; i++)
        {
            q.Insert(i, DeliveryKind.Mta, T0, FourDays, 0, T0, "big.example");
        }

        // Due later than all of big.example's, so only the limit lets them through.
        q.Insert(101, DeliveryKind.Mta, T0, FourDays, 0, T0 + 1, "small.example");
        q.Insert(102, DeliveryKind.Mda, T0, FourDays, 0, T0 + 1, "small.example");

        var out1 = q.TakeDue(T0 + 1);
        Assert.Equal([1UL, 2, 3, 101, 102], out1.Select(e => e.EvpId));
        Assert.Equal(3, q.InFlightFor("big.example"));
        Assert.Equal(2, q.InFlightFor("small.example"));
        Assert.Empty(q.TakeDue(T0 + 2));
    }

    [Fact]
    public void TheGlobalLimitHoldsAcrossDomains()
    {
        var q = new SchedulerQueue(maxInFlight: 4, maxInFlightPerDomain: 4);
        for (ulong i = 1; i <= 10; i++)
        {
            q.Insert(i, DeliveryKind.Mda, T0, FourDays, 0, T0 + (long)i, $"d{i}.example");
        }

        Assert.Equal([1UL, 2, 3, 4], q.TakeDue(T0 + 100).Select(e => e.EvpId));
        Assert.Equal(4, q.InFlightCount);
        Assert.Empty(q.TakeDue(T0 + 100));

        // A result frees one slot: the oldest waiting envelope takes it.
        q.Remove(3);
        Assert.Equal([5UL], q.TakeDue(T0 + 100).Select(e => e.EvpId));
        q.TempFail(1, T0 + 100);
        q.Remove(2);
        Assert.Equal([6UL, 7], q.TakeDue(T0 + 100).Select(e => e.EvpId));
    }

    [Fact]
    public void ParkedEnvelopesComeBackInDueOrderAsResultsFreeTheirDomainsSlots()
    {
        var q = new SchedulerQueue(maxInFlight: 100, maxInFlightPerDomain: 2);
        // Insertion order differs from due order on purpose.
        long[] due = [5, 1, 4, 2, 3, 6];
        for (int i = 0; i < due.Length; i++)
        {
            q.Insert((ulong)(i + 1), DeliveryKind.Mda, T0, FourDays, 0, T0 + due[i], "example.org");
        }

        Assert.Equal([2UL, 4], q.TakeDue(T0 + 10).Select(e => e.EvpId));
        Assert.Empty(q.TakeDue(T0 + 10));

        q.Remove(4);
        Assert.Equal([5UL], q.TakeDue(T0 + 10).Select(e => e.EvpId));
        q.TempFail(2, T0 + 10);
        q.Remove(5);
        Assert.Equal([3UL, 1], q.TakeDue(T0 + 11).Select(e => e.EvpId));
        Assert.Equal(2, q.InFlightFor("example.org"));
    }

    [Fact]
    public void AFreedDomainSlotAndAnotherDomainsMailShareTheGlobalSlotsInDueOrder()
    {
        var q = new SchedulerQueue(maxInFlight: 2, maxInFlightPerDomain: 1);
        q.Insert(1, DeliveryKind.Mda, T0, FourDays, 0, T0, "a.example");
        q.Insert(2, DeliveryKind.Mda, T0, FourDays, 0, T0 + 1, "a.example");
        q.Insert(3, DeliveryKind.Mda, T0, FourDays, 0, T0 + 2, "b.example");
        q.Insert(4, DeliveryKind.Mda, T0, FourDays, 0, T0 + 3, "c.example");
        Assert.Equal([1UL, 3], q.TakeDue(T0 + 5).Select(e => e.EvpId));

        // 2 (parked, due at +1) is older than 4 (due at +3): it takes the slot 1 frees.
        q.Remove(1);
        Assert.Equal([2UL], q.TakeDue(T0 + 5).Select(e => e.EvpId));
        q.Remove(3);
        Assert.Equal([4UL], q.TakeDue(T0 + 5).Select(e => e.EvpId));
    }

    [Fact]
    public void DomainsCompareWithoutCaseAndAreForgottenWithTheirLastEnvelope()
    {
        var q = new SchedulerQueue(maxInFlight: 10, maxInFlightPerDomain: 1);
        q.Insert(1, DeliveryKind.Mda, T0, FourDays, 0, T0, "Example.ORG");
        q.Insert(2, DeliveryKind.Mda, T0, FourDays, 0, T0, "example.org");
        Assert.Single(q.TakeDue(T0));
        Assert.Equal(1, q.DomainCount);
        q.Remove(1);
        Assert.Single(q.TakeDue(T0));
        q.Remove(2);
        Assert.Equal(0, q.DomainCount);
        Assert.Equal(0, q.InFlightFor("example.org"));
    }

    [Fact]
    public void AParkedEnvelopeThatExpiresOrGoesAwayDoesNotKeepItsDomainsSlot()
    {
        var q = new SchedulerQueue(maxInFlight: 10, maxInFlightPerDomain: 1);
        q.Insert(1, DeliveryKind.Mda, T0, FourDays, 0, T0, "example.org");
        q.Insert(2, DeliveryKind.Mda, T0, 100, 0, T0, "example.org");
        q.Insert(3, DeliveryKind.Mda, T0, FourDays, 0, T0, "example.org");
        q.Insert(4, DeliveryKind.Mda, T0, FourDays, 0, T0, "example.org");
        Assert.Equal([1UL], q.TakeDue(T0).Select(e => e.EvpId));

        Assert.Equal([2UL], q.TakeExpired(T0 + 100).Select(e => e.EvpId));
        q.Remove(3);
        q.Remove(1);
        Assert.Equal([4UL], q.TakeDue(T0 + 100).Select(e => e.EvpId));
        Assert.Empty(q.TakeExpired(T0 + 100));
        Assert.Equal(1, q.Count);
    }

    [Fact]
    public void AnEnvelopeThatExpiresInFlightIsExpiredAfterATemporaryFailure()
    {
        var q = new SchedulerQueue(maxInFlight: 10, maxInFlightPerDomain: 10);
        q.Insert(1, DeliveryKind.Mta, T0, 100, 0, T0, "example.org");
        q.Insert(2, DeliveryKind.Mta, T0, 300, 1, T0, "example.org");
        Assert.Single(q.TakeDue(T0));

        // 1 is in flight past its lifetime: not expired under the attempt's feet, but the next
        // wake-up is still 2's expiry (before its next attempt at +400).
        Assert.Empty(q.TakeExpired(T0 + 200));
        Assert.Equal(T0 + 300, q.NextWakeup());
        q.TempFail(1, T0 + 200);
        Assert.Equal([1UL], q.TakeExpired(T0 + 200).Select(e => e.EvpId));
        Assert.Equal(0, q.InFlightCount);
    }

    [Fact]
    public void WithEverySlotTakenOnlyExpiriesWakeTheScheduler()
    {
        var q = new SchedulerQueue(maxInFlight: 1, maxInFlightPerDomain: 1);
        q.Insert(1, DeliveryKind.Mda, T0, FourDays, 0, T0, "a.example");
        q.Insert(2, DeliveryKind.Mda, T0, 600, 0, T0, "b.example");
        Assert.Single(q.TakeDue(T0));

        // 2 is due but cannot go: no busy loop until it can, but its expiry still counts.
        Assert.Equal(T0 + 600, q.NextWakeup());
        q.Remove(1);
        Assert.Equal(T0, q.NextWakeup());
        Assert.Equal([2UL], q.TakeDue(T0 + 1).Select(e => e.EvpId));
    }

    [Fact]
    public void ARestartRebuildsTheScheduleWithNothingInFlight()
    {
        var before = new SchedulerQueue(maxInFlight: 10, maxInFlightPerDomain: 2);
        for (ulong i = 1; i <= 5; i++)
        {
            before.Insert(i, DeliveryKind.Mda, T0, FourDays, 0, T0, "example.org");
        }

        Assert.Equal(2, before.TakeDue(T0).Count);

        // What the queue reloads: the attempts made so far, and nothing about who was in flight.
        var after = new SchedulerQueue(maxInFlight: 10, maxInFlightPerDomain: 2);
        for (ulong i = 1; i <= 5; i++)
        {
            after.Insert(i, DeliveryKind.Mda, T0, FourDays, i <= 2 ? 1 : 0, T0 + 5, "example.org");
        }

        Assert.Equal(0, after.InFlightCount);
        Assert.Equal([3UL, 4], after.TakeDue(T0 + 5).Select(e => e.EvpId));
        after.Remove(3);
        after.Remove(4);
        Assert.Equal([5UL, 1], after.TakeDue(T0 + 10).Select(e => e.EvpId));
    }

    [Theory]
    [InlineData("", 5000)]
    [InlineData("scheduler limit max-inflight 200\n", 200)]
    [InlineData("scheduler limit max-schedule 20 max-inflight 0\n", 1)]
    public void MaxInflightComesFromTheSchedulerLimitDirective(string text, int expected)
    {
        var loaded = ConfigLoader.LoadFromString(text + "match from any for any reject\n", "smtpd.conf");
        Assert.NotNull(loaded.Config);
        Assert.Equal(expected, SchedulerProcess.MaxInFlightOf(loaded.Config));
    }

    [Fact]
    public void RandomTrafficNeverBreaksALimitLosesOrDuplicatesAnEnvelopeOrStrandsOne()
    {
        const int Max = 7;
        const int PerDomain = 3;
        string[] domains = ["a.example", "b.example", "c.example", "d.example"];
        var rng = new Random(29);
        var q = new SchedulerQueue(Max, PerDomain);
        var live = new Dictionary<ulong, ScheduledEnvelope>();
        var inFlight = new HashSet<ulong>();
        var finished = new HashSet<ulong>();
        ulong nextId = 1;
        long now = T0;

        void Take(int max)
        {
            var got = q.TakeDue(now, max);
            for (int i = 0; i < got.Count; i++)
            {
                var e = got[i];
                Assert.True(e.Next <= now && e.Expire > now);
                Assert.True(inFlight.Add(e.EvpId), "handed out twice");
                Assert.True(i == 0 || (got[i - 1].Next, got[i - 1].EvpId).CompareTo((e.Next, e.EvpId)) < 0, "out of due order");
            }

            Assert.True(q.InFlightCount <= Max);
            foreach (var g in live.Values.GroupBy(e => e.Domain.Name))
            {
                Assert.True(g.Count(e => e.InFlight) <= PerDomain, "per-domain limit broken");
            }

            // Whatever could have gone and did not is newer than what went (or there was no room).
            bool roomLeft = got.Count < Math.Min(max, Max - (q.InFlightCount - got.Count));
            var last = got.Count > 0 ? (got[^1].Next, got[^1].EvpId) : (long.MinValue, 0UL);
            foreach (var e in live.Values)
            {
                if (!e.InFlight && e.Next <= now && e.Expire > now && q.InFlightFor(e.Domain.Name) < PerDomain)
                {
                    Assert.False(roomLeft, $"evp {e.EvpId} stranded");
                    Assert.True((e.Next, e.EvpId).CompareTo(last) > 0, $"evp {e.EvpId} passed over");
                }
            }
        }

        void Finish(ulong id)
        {
            Assert.True(finished.Add(id), "finished twice");
            live.Remove(id);
        }

        for (int step = 0; step < 20_000; step++)
        {
            now += rng.Next(0, 20);
            switch (rng.Next(6))
            {
                case 0:
                case 1:
                    ulong id = nextId++;
                    live[id] = q.Insert(id, (DeliveryKind)rng.Next(3), now, rng.Next(60, 3000), 0, now, domains[rng.Next(domains.Length)]);
                    break;
                case 2:
                    Take(rng.Next(3) == 0 ? rng.Next(1, 4) : int.MaxValue);
                    break;
                case 3 when inFlight.Count > 0:
                    ulong done = inFlight.ElementAt(rng.Next(inFlight.Count));
                    inFlight.Remove(done);
                    if (rng.Next(2) == 0)
                    {
                        q.TempFail(done, now);
                    }
                    else
                    {
                        Assert.True(q.Remove(done));
                        Finish(done);
                    }

                    break;
                case 4 when live.Count > 0 && rng.Next(4) == 0:
                    ulong any = live.Keys.ElementAt(rng.Next(live.Count));
                    q.ScheduleNow(any, now);
                    break;
                default:
                    foreach (var e in q.TakeExpired(now))
                    {
                        Assert.DoesNotContain(e.EvpId, inFlight);
                        Assert.True(e.Expire <= now);
                        Finish(e.EvpId);
                    }

                    break;
            }

            Assert.Equal(inFlight.Count, q.InFlightCount);
            Assert.Equal(live.Count, q.Count);
        }

        // Drain: every envelope ends exactly once, delivered or expired.
        while (q.Count > 0)
        {
            now += 60;
            Take(int.MaxValue);
            foreach (ulong done in inFlight.ToList())
            {
                inFlight.Remove(done);
                q.Remove(done);
                Finish(done);
            }

            foreach (var e in q.TakeExpired(now))
            {
                Finish(e.EvpId);
            }
        }

        Assert.Equal((int)nextId - 1, finished.Count);
        Assert.Equal(0, q.DomainCount);
    }
}
