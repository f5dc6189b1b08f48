using Smtpd.Interop;

namespace Smtpd.Tests.Interop;

public class SocketLayoutTests
{
    [Fact]
    public unsafe void MsghdrAndCmsghdrHaveTheLp64GlibcSizes()
    {
        Assert.Equal(56, sizeof(Libc.MsgHdr));
        Assert.Equal(16, sizeof(Libc.CmsgHdr));
        Assert.Equal(16, sizeof(Libc.IoVec));
    }

    [Fact]
    public void CmsgArithmeticMatchesTheCMacros()
    {
        Assert.Equal(20, Libc.CmsgLen(sizeof(int)));
        Assert.Equal(24, Libc.CmsgSpace(sizeof(int)));
        Assert.Equal(16 + 64, Libc.CmsgSpace(16 * sizeof(int)));
    }

    [Fact]
    public unsafe void PasswdAndStatxLayoutsAreTheGlibcOnes()
    {
        Assert.Equal(48, sizeof(Libc.Passwd));
        Assert.Equal(256, sizeof(Libc.Statx));
    }
}
