// The queue's floor of free space: 1.5 times the largest message, and some inodes; below it
// new messages are refused (the client hears a 4xx), above it they are taken again.
using Smtpd.Interop;
using Smtpd.Queue;

namespace Smtpd.Tests.Security;

public class QueueSpaceGuardTests
{
    [Fact]
    public void NewMessagesAreRefusedBelowOneAndAHalfTimesTheMaximumSizeAndTakenAgainAbove()
    {
        ulong bytes = 100UL << 20;
        ulong inodes = 10_000;
        var guard = new QueueSpaceGuard("/spool", 10L << 20, _ => (bytes, inodes));
        Assert.Equal(15UL << 20, guard.MinFreeBytes);
        Assert.True(guard.HasRoom());

        bytes = (15UL << 20) - 1;
        Assert.False(guard.HasRoom());

        bytes = 15UL << 20;
        Assert.True(guard.HasRoom());

        inodes = QueueSpaceGuard.MinFreeInodes - 1;
        Assert.False(guard.HasRoom());
    }

    [Fact]
    public void AFileSystemThatCannotBeMeasuredRefusesNothing()
    {
        var guard = new QueueSpaceGuard("/spool", 1 << 20, _ => throw new PosixException(5, "statvfs /spool"));
        Assert.True(guard.HasRoom());
    }

    [Fact]
    public void TheRealFileSystemIsMeasured()
    {
        var (bytes, _) = Posix.FileSystemSpace(Path.GetTempPath());
        Assert.True(bytes > 0);
    }
}
