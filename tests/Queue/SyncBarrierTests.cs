using Smtpd.Interop;
using Smtpd.Queue;

namespace Smtpd.Tests.Queue;

public class SyncBarrierTests
{
    [Fact]
    public void CallersArrivingDuringARoundShareTheNextOne()
    {
        using var inFirst = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        int calls = 0;
        var barrier = new SyncBarrier(() =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                inFirst.Set();
                release.Wait();
            }

            return Errno.None;
        });

        // Own threads: pool threads blocked here would starve other tests (and each other).
        Task<Errno> Start() => Task.Factory.StartNew(barrier.Sync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var first = Start();
        Assert.True(inFirst.Wait(TimeSpan.FromSeconds(10)));

        // Ten callers arrive while the first round runs: none may ride on it (it may have started
        // before their writes), and all share one more round.
        var waiters = Enumerable.Range(0, 10).Select(_ => Start()).ToArray();
        Assert.True(SpinWait.SpinUntil(() => barrier.Waiting == 10, TimeSpan.FromSeconds(10)));
        Assert.All(waiters, t => Assert.False(t.IsCompleted));
        release.Set();

        Assert.True(Task.WaitAll([first, .. waiters], TimeSpan.FromSeconds(10)));
        Assert.All(waiters, t => Assert.Equal(Errno.None, t.Result));
        Assert.Equal(2, calls);
        Assert.Equal(calls, barrier.Rounds);
    }

    [Fact]
    public void AFailedRoundFailsItsCallersAndTheNextRoundStartsClean()
    {
        Errno next = Errno.EIO;
        var barrier = new SyncBarrier(() => next);
        Assert.Equal(Errno.EIO, barrier.Sync());
        next = Errno.None;
        Assert.Equal(Errno.None, barrier.Sync());
    }

    [Fact]
    public void AThrowingSyncIsAnIoErrorAndDoesNotWedgeTheBarrier()
    {
        bool fail = true;
        var barrier = new SyncBarrier(() => fail ? throw new InvalidOperationException("boom") : Errno.None);
        Assert.Equal(Errno.EIO, barrier.Sync());
        fail = false;
        Assert.Equal(Errno.None, barrier.Sync());
    }
}
