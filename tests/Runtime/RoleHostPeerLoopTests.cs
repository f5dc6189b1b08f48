// A role's peer loop never dies quietly: a handler that throws, or a peer that breaks the framing,
// is reported as fatal (in a daemon: logged, and the role exits so the parent stops everything).
using Smtpd.Interop;
using Smtpd.Ipc;
using Smtpd.Runtime;

namespace Smtpd.Tests.Runtime;

public class RoleHostPeerLoopTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private sealed class ThrowingRole : RoleProcess
    {
        public override ProcRole Role => ProcRole.Queue;

        public override ValueTask DispatchAsync(ProcRole from, Imsg msg) =>
            throw new KeyNotFoundException("no envelope 0123456789abcdef");
    }

    [Fact]
    public async Task AnExceptionInAHandlerIsFatalAndNamesThePeer()
    {
        var (mine, theirs) = Posix.SocketPair();
        using var channel = new ImsgChannel(mine, "scheduler");
        using var peer = new ImsgChannel(theirs, "queue");
        channel.Start();
        peer.Start();
        var fatal = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        Task loop = RoleHost.PeerLoopAsync(new ThrowingRole(), ProcRole.Scheduler, channel, m => fatal.TrySetResult(m));
        peer.PostEmpty(ImsgType.SetupDone);

        Assert.Equal("scheduler: unexpected KeyNotFoundException while handling a message: no envelope 0123456789abcdef", await fatal.Task.WaitAsync(Patience));
        await loop.WaitAsync(Patience);
    }

    [Fact]
    public async Task APeerThatClosesEndsTheLoopWithoutAFatalError()
    {
        var (mine, theirs) = Posix.SocketPair();
        using var channel = new ImsgChannel(mine, "lookup");
        channel.Start();
        string? fatal = null;

        Task loop = RoleHost.PeerLoopAsync(new ThrowingRole(), ProcRole.Lka, channel, m => fatal = m);
        theirs.Dispose();

        await loop.WaitAsync(Patience);
        Assert.Null(fatal);
    }
}
