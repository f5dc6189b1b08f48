using Smtpd.Interop;
using Smtpd.Queue;

namespace Smtpd.Tests.Queue;

public class QueueResultTests
{
    [Fact]
    public void TempFailCarriesTheErrnoAndGlibcsWordsForIt()
    {
        var r = QueueResult.TempFail(Errno.ENOSPC, "rename incoming/3fa2c901");
        Assert.False(r.IsOk);
        Assert.Equal(QueueStatus.TempFail, r.Status);
        Assert.Equal(Errno.ENOSPC, r.Errno);
        Assert.Equal("rename incoming/3fa2c901: No space left on device", r.Reason);
        Assert.Equal("TempFail (rename incoming/3fa2c901: No space left on device)", r.ToString());
    }

    [Fact]
    public void OnlyOkIsOk()
    {
        Assert.True(QueueResult.Ok.IsOk);
        Assert.Equal("Ok", QueueResult.Ok.ToString());
        Assert.False(QueueResult.NotFound("x").IsOk);
        Assert.False(QueueResult.Corrupt("x").IsOk);
        Assert.False(QueueResult.Refused("x").IsOk);
    }
}
