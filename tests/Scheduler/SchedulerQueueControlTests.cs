// What smtpctl changes in the schedule: kinds paused and resumed, envelopes suspended, scheduled
// now and removed, and the envelopes an id names.
using Smtpd.Ipc.Messages;
using Smtpd.Scheduler;

namespace Smtpd.Tests.Scheduler;

public class SchedulerQueueControlTests
{
    private const long T0 = 1_700_000_000;
    private const long Day = 86400;
    private const ulong A1 = 0xaaaa_0001_0000_0001;
    private const ulong A2 = 0xaaaa_0001_0000_0002;
    private const ulong B1 = 0xbbbb_0002_0000_0001;

    private static SchedulerQueue ThreeEnvelopes()
    {
        var q = new SchedulerQueue();
        q.Insert(A1, DeliveryKind.Mda, T0, Day, 0, T0);
        q.Insert(A2, DeliveryKind.Mta, T0, Day, 0, T0);
        q.Insert(B1, DeliveryKind.Mda, T0, Day, 0, T0);
        return q;
    }

    [Fact]
    public void AnIdNamesOneEnvelopeAMessagesEnvelopesOrAll()
    {
        var q = ThreeEnvelopes();
        Assert.Equal([A1], q.Select(A1));
        Assert.Equal([A1, A2], q.Select(0xaaaa_0001));
        Assert.Equal([A1, A2, B1], q.Select(0));
        Assert.Empty(q.Select(0xcccc_0003));
    }

    [Fact]
    public void APausedKindWaitsAndComesBackWhenResumed()
    {
        var q = ThreeEnvelopes();
        q.Pause(DeliveryKind.Mda);
        Assert.Equal([A2], q.TakeDue(T0).Select(e => e.EvpId));
        Assert.Empty(q.TakeDue(T0 + 100));
        q.Resume(DeliveryKind.Mda);
        Assert.Equal([A1, B1], q.TakeDue(T0 + 100).Select(e => e.EvpId).Order());
    }

    [Fact]
    public void ASuspendedEnvelopeIsNotTriedNorScheduledUntilResumed()
    {
        var q = ThreeEnvelopes();
        Assert.True(q.Suspend(A1));
        Assert.False(q.Suspend(A1));
        Assert.False(q.TrySchedule(A1, T0));
        Assert.DoesNotContain(A1, q.TakeDue(T0).Select(e => e.EvpId));
        Assert.True(q.Unsuspend(A1));
        Assert.False(q.Unsuspend(A1));
        Assert.Equal([A1], q.TakeDue(T0 + 1).Select(e => e.EvpId));
    }

    [Fact]
    public void ScheduleBringsABackedOffEnvelopeForwardButNotOneInFlight()
    {
        var q = new SchedulerQueue();
        q.Insert(A1, DeliveryKind.Mta, T0, Day, 0, T0);
        q.TakeDue(T0);
        Assert.False(q.TrySchedule(A1, T0 + 1));
        q.TempFail(A1, T0 + 1);
        Assert.Empty(q.TakeDue(T0 + 2));
        Assert.True(q.TrySchedule(A1, T0 + 2));
        Assert.Equal([A1], q.TakeDue(T0 + 2).Select(e => e.EvpId));
    }

    [Fact]
    public void RemovalIsAtOnceForAWaitingEnvelopeAndDeferredForOneInFlight()
    {
        var q = ThreeEnvelopes();
        var due = q.TakeDue(T0).Select(e => e.EvpId).ToList();
        Assert.Contains(A1, due);
        q.Insert(0xdddd_0004_0000_0001, DeliveryKind.Mda, T0, Day, 0, T0);

        Assert.True(q.RemoveByAdmin(0xdddd_0004_0000_0001, out bool now));
        Assert.True(now);
        Assert.False(q.Contains(0xdddd_0004_0000_0001));

        Assert.True(q.RemoveByAdmin(A1, out now));
        Assert.False(now);
        Assert.True(q.IsRemovePending(A1));
        Assert.False(q.RemoveByAdmin(A1, out _));
    }

    [Fact]
    public void ALoweredLimitHandsOutNothingMoreUntilAttemptsEnd()
    {
        var q = ThreeEnvelopes();
        Assert.Equal(3, q.TakeDue(T0).Count);
        q.SetLimits(1);
        q.Insert(0xdddd_0004_0000_0001, DeliveryKind.Mda, T0, Day, 0, T0);
        Assert.Empty(q.TakeDue(T0));
        q.Remove(A1);
        q.Remove(A2);
        Assert.Empty(q.TakeDue(T0));
        q.Remove(B1);
        Assert.Single(q.TakeDue(T0));
    }
}
