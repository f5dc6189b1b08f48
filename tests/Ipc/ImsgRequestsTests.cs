// The request/reply table every role uses: ids are fresh, a reply completes its own request only,
// an unknown id is refused, a lost peer fails what waits, a timeout fails one request.
using Smtpd.Ipc;

namespace Smtpd.Tests.Ipc;

public class ImsgRequestsTests
{
    [Fact]
    public void EachReplyCompletesItsOwnRequest()
    {
        var requests = new ImsgRequests<string>();
        var (a, first) = requests.Start();
        var (b, second) = requests.Start();
        Assert.NotEqual(a, b);
        Assert.Equal(2, requests.Pending);

        Assert.True(requests.TryComplete(b, "second"));
        Assert.False(first.IsCompleted);
        Assert.Equal("second", second.Result);

        // Answered once: the same id again is nobody's.
        Assert.False(requests.TryComplete(b, "again"));
        Assert.Throws<ImsgFormatException>(() => requests.Complete(ImsgType.LkaUserinfoReply, b, "again"));
        requests.Complete(ImsgType.LkaUserinfoReply, a, "first");
        Assert.Equal("first", first.Result);
        Assert.Equal(0, requests.Pending);
    }

    [Fact]
    public void ALostPeerFailsEveryWaitingRequest()
    {
        var requests = new ImsgRequests<int>();
        var (_, first) = requests.Start();
        var (_, second) = requests.Start();
        requests.FailAll(new IOException("lost peer lka"));
        Assert.Equal("lost peer lka", Assert.Throws<AggregateException>(() => first.Wait()).InnerException!.Message);
        Assert.True(second.IsFaulted);
        Assert.Equal(0, requests.Pending);
    }

    [Fact]
    public async Task ARequestWithATimeoutFailsWhenNoReplyComes()
    {
        var requests = new ImsgRequests<int>();
        var (id, reply) = requests.Start(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAsync<TimeoutException>(() => reply);
        Assert.False(requests.TryComplete(id, 1));

        // Answered in time, the timeout does nothing.
        var (quick, answered) = requests.Start(TimeSpan.FromMilliseconds(50));
        Assert.True(requests.TryComplete(quick, 7));
        await Task.Delay(150);
        Assert.Equal(7, await answered);
    }

    [Fact]
    public void TheRequestIdIsTheFirstEightBytesOfTheReply()
    {
        using var msg = new Imsg(ImsgType.LkaUserinfoReply, 0, 0, [1, 0, 0, 0, 0, 0, 0, 0x10, 9], null);
        Assert.Equal(0x1000000000000001UL, ImsgRequests<int>.ReqIdOf(msg));
        using var shortMsg = new Imsg(ImsgType.LkaUserinfoReply, 0, 0, [1, 2, 3], null);
        Assert.Throws<ImsgFormatException>(() => ImsgRequests<int>.ReqIdOf(shortMsg));
    }
}
