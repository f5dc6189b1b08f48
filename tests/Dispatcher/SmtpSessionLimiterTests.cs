using Smtpd.Dispatcher;

namespace Smtpd.Tests.Dispatcher;

public class SmtpSessionLimiterTests
{
    private readonly List<string> _logs = [];

    private SmtpSessionLimiter Limiter(int max, int? perAddress = null) => new(max, perAddress, _logs.Add);

    [Fact]
    public void TheLimitIsHalfTheFreeDescriptorsLessTheReserve()
    {
        Assert.Equal(((1024 - 24) / 2) - 5, SmtpSessionLimiter.Derive(1024, 24, null));
        Assert.Equal(100, SmtpSessionLimiter.Derive(1024, 24, 100));
        // A configured limit never goes past what the descriptors allow.
        Assert.Equal(((1024 - 24) / 2) - 5, SmtpSessionLimiter.Derive(1024, 24, 100000));
        Assert.Equal(1, SmtpSessionLimiter.Derive(16, 20, null));
    }

    [Fact]
    public async Task AtTheLimitAcceptingWaitsUntilASessionEnds()
    {
        var limiter = Limiter(2);
        Assert.True(limiter.WaitForRoomAsync().IsCompleted);
        Assert.True(limiter.TryAdmit("192.0.2.1"));
        Assert.True(limiter.TryAdmit("192.0.2.2"));
        var wait = limiter.WaitForRoomAsync();
        Assert.False(wait.IsCompleted);
        Assert.Equal(["warn: Disabling incoming SMTP connections: Client limit reached (2 sessions)"], _logs);

        limiter.Release("192.0.2.1");
        await wait.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, limiter.Active);
        Assert.Equal("warn: smtp: fd exhaustion over, re-enabling incoming connections", _logs[^1]);
    }

    [Fact]
    public void OneAddressMayHoldOnlyItsShare()
    {
        var limiter = Limiter(10, perAddress: 2);
        Assert.True(limiter.TryAdmit("192.0.2.1"));
        Assert.True(limiter.TryAdmit("192.0.2.1"));
        Assert.False(limiter.TryAdmit("192.0.2.1"));
        Assert.True(limiter.TryAdmit("[2001:db8::1]"));
        Assert.Equal(3, limiter.Active);

        limiter.Release("192.0.2.1");
        Assert.True(limiter.TryAdmit("192.0.2.1"));
    }

    [Fact]
    public void ByDefaultLoopbackClientsHaveNoPerAddressShare()
    {
        var limiter = Limiter(100);
        for (int i = 0; i < SmtpSessionLimiter.DefaultMaxPerAddress; i++)
        {
            Assert.True(limiter.TryAdmit("192.0.2.1"));
            Assert.True(limiter.TryAdmit("127.0.0.1"));
        }

        Assert.False(limiter.TryAdmit("192.0.2.1"));
        Assert.True(limiter.TryAdmit("127.0.0.1"));
        Assert.True(limiter.TryAdmit("[::1]"));
    }

    [Fact]
    public void AConfiguredShareLimitsLoopbackClientsToo()
    {
        var limiter = Limiter(100, perAddress: 1);
        Assert.True(limiter.TryAdmit("127.0.0.1"));
        Assert.False(limiter.TryAdmit("127.0.0.1"));
    }

    [Fact]
    public void TheLocalSocketHasNoPerAddressShare()
    {
        var limiter = Limiter(10, perAddress: 1);
        Assert.True(limiter.TryAdmit("local"));
        Assert.True(limiter.TryAdmit("local"));
    }

    [Fact]
    public async Task RunningOutOfDescriptorsPausesUntilASessionEnds()
    {
        var limiter = Limiter(10);
        Assert.True(limiter.TryAdmit("192.0.2.1"));
        limiter.Exhausted("Too many open files");
        var wait = limiter.WaitForRoomAsync();
        Assert.False(wait.IsCompleted);
        Assert.Equal(["warn: Disabling incoming SMTP connections: Too many open files"], _logs);

        limiter.Release("192.0.2.1");
        await wait.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task RunningOutOfDescriptorsWithNoSessionIsRetriedLater()
    {
        var limiter = Limiter(10);
        limiter.Exhausted("Too many open files");
        var wait = limiter.WaitForRoomAsync();
        Assert.False(wait.IsCompleted);
        limiter.RetryAfterExhaustion();
        await wait.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
