// One errno mechanism for both kinds of declarations: our LibraryImports and Tmds.LibC's
// DllImports are all SetLastError, so the runtime clears errno before the call and saves it
// after into one per-thread slot; Marshal.GetLastPInvokeError, PosixException.ThrowLast and
// Tmds' LibC.errno all read that slot.
using System.Runtime.InteropServices;
using Smtpd.Interop;
using Tmds.Linux;

namespace Smtpd.Tests.Interop;

public class LibcErrnoTests
{
    [Fact]
    public unsafe void TmdsCallLeavesItsErrnoWhereOurLayerReadsIt()
    {
        Assert.Equal(-1, LibC.close(-1));
        Assert.Equal((int)Errno.EBADF, Marshal.GetLastPInvokeError());
        Assert.Equal((int)Errno.EBADF, LibC.errno);
    }

    [Fact]
    public void OurImportLeavesItsErrnoWhereTmdsReadsIt()
    {
        Assert.Equal(Errno.ENOENT, Posix.TryRename("/nonexistent-smtpd-test/a", "/nonexistent-smtpd-test/b"));
        Assert.Equal((int)Errno.ENOENT, LibC.errno);
    }

    [Fact]
    public void ASuccessfulTmdsCallClearsTheErrnoOfAnEarlierFailure()
    {
        Assert.Equal(-1, LibC.close(-1));
        Assert.NotEqual(0, (int)LibC.getpid());
        _ = LibC.umask(LibC.umask(0x12));
        Assert.Equal(0, Marshal.GetLastPInvokeError());
    }

    [Fact]
    public void PosixWrappersOverTmdsReportTheCallsErrno()
    {
        Assert.Equal(Errno.ENOENT, Posix.TryUnlink("/nonexistent-smtpd-test/file"));
        Assert.Equal(Errno.ENOENT, Posix.TryStatus("/nonexistent-smtpd-test/file", out _));
        var e = Assert.Throws<PosixException>(() => Posix.Chdir("/nonexistent-smtpd-test"));
        Assert.Equal(Errno.ENOENT, e.Errno);
        Assert.Equal("chdir /nonexistent-smtpd-test: No such file or directory", e.Message);
    }

    [Fact]
    public void ErrnoIsPerThread()
    {
        Assert.Equal(-1, LibC.close(-1));
        int other = -1;
        var t = new Thread(() =>
        {
            _ = Posix.TryUnlink("/nonexistent-smtpd-test/file");
            other = Marshal.GetLastPInvokeError();
        });
        t.Start();
        t.Join();
        Assert.Equal((int)Errno.ENOENT, other);
        Assert.Equal((int)Errno.EBADF, Marshal.GetLastPInvokeError());
    }

    [Fact]
    public unsafe void TmdsStrerrorRIsTheXsiOneThatFillsTheBuffer()
    {
        // glibc's plain strerror_r symbol is the GNU variant, which may leave the buffer alone;
        // Tmds.LibC binds __xpg_strerror_r, which our StrError now relies on.
        byte* buf = stackalloc byte[256];
        buf[0] = 0;
        Assert.Equal(0, LibC.strerror_r((int)Errno.ENOENT, buf, 256));
        Assert.Equal("No such file or directory", Marshal.PtrToStringUTF8((nint)buf));
        Assert.Equal("No such file or directory", Posix.StrError(Errno.ENOENT));
        Assert.Equal("Unknown error 4242", Posix.StrError((Errno)4242));
    }
}
