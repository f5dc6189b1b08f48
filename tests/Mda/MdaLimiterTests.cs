using Smtpd.Mda;

namespace Smtpd.Tests.Mda;

public class MdaLimiterTests
{
    [Fact]
    public void AtMostSevenDeliveriesRunPerUserAndTheRestWaitInOrder()
    {
        var l = new MdaLimiter<int>();
        var started = new List<int>();
        for (int i = 0; i < 10; i++)
        {
            started.AddRange(l.Add("alice", i));
        }

        Assert.Equal([0, 1, 2, 3, 4, 5, 6], started);
        Assert.Equal(3, l.Waiting);
        Assert.Equal([7], l.Done("alice"));
        Assert.Equal([42], l.Add("bob", 42));
    }

    [Fact]
    public void AtMostFiftyRunInAllAndAFinishedOneLetsTheNextWaitingStart()
    {
        var l = new MdaLimiter<int>();
        int started = 0;
        for (int i = 0; i < 60; i++)
        {
            started += l.Add("user" + i, i).Count;
        }

        Assert.Equal(50, started);
        Assert.Equal(50, l.Running);
        Assert.Equal([50], l.Done("user3"));
        Assert.Equal(50, l.Running);
        Assert.Equal(9, l.Waiting);
    }
}
