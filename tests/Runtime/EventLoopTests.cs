// The event loop that runs its process's IPC poller: messages from another process are read
// and handled on the loop's own thread, and work posted from other threads (timers, the commit
// thread) still wakes it while it sleeps in epoll_wait.
using Smtpd.Interop;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Tests.Runtime;

public class EventLoopTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void ALoopDrivingThePollerGetsItsMessagesOnItsOwnThreadAndWakesForPosts()
    {
        var (mine, theirs) = Posix.SocketPair();
        using var sender = new ImsgChannel(theirs, "sender");
        sender.Start();
        var poller = ImsgPoller.CreateDriven();
        int loopThread = 0;
        var threads = new List<int>();
        var sequences = new List<ulong>();
        int result = -1;
        var thread = new Thread(() => result = EventLoop.Run(
            async () =>
            {
                loopThread = Environment.CurrentManagedThreadId;
                using var receiver = new ImsgChannel(mine, "receiver");
                receiver.Start(poller);

                // Nothing has been sent yet: the loop sleeps in epoll_wait, and the timer's
                // continuation, posted from the timer thread, has to wake it.
                await Task.Delay(50);
                threads.Add(Environment.CurrentManagedThreadId);
                for (ulong i = 0; i < 300; i++)
                {
                    sender.Post(new Ping(i, new byte[(int)(i % 100)]));
                }

                await foreach (var msg in receiver.ReadAllHereAsync())
                {
                    using (msg)
                    {
                        threads.Add(Environment.CurrentManagedThreadId);
                        sequences.Add(msg.Read<Ping>().Sequence);
                    }

                    if (sequences.Count == 300)
                    {
                        break;
                    }
                }

                return sequences.Count;
            },
            poller));
        thread.Start();

        Assert.True(thread.Join(Patience), "the loop never finished");
        Assert.Equal(300, result);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (ulong)i), sequences);
        Assert.All(threads, t => Assert.Equal(loopThread, t));
    }

    [Fact]
    public void WhatTheLoopSendsGoesOutBeforeItSleepsAndBeforeItEnds()
    {
        var (mine, theirs) = Posix.SocketPair();
        using var receiver = new ImsgChannel(theirs, "receiver");
        receiver.Start();
        var poller = ImsgPoller.CreateDriven();
        var allSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() => EventLoop.Run(
            async () =>
            {
                using var sender = new ImsgChannel(mine, "sender");
                sender.Start(poller);
                await Task.Yield();

                // Sent during a round: they wait for the round's end, and the loop then sleeps
                // until the other side has read them all.
                for (ulong i = 0; i < 100; i++)
                {
                    sender.Post(new Ping(i, []));
                }

                await allSeen.Task;

                // Sent by the loop's last round: they still go out.
                for (ulong i = 100; i < 110; i++)
                {
                    sender.Post(new Ping(i, []));
                }

                return 0;
            },
            poller));
        thread.Start();

        using var cts = new CancellationTokenSource(Patience);
        for (ulong i = 0; i < 110; i++)
        {
            using var msg = receiver.Inbound.ReadAsync(cts.Token).AsTask().GetAwaiter().GetResult();
            Assert.Equal(i, msg.Read<Ping>().Sequence);
            if (i == 99)
            {
                allSeen.SetResult();
            }
        }

        Assert.True(thread.Join(Patience));
    }
}
