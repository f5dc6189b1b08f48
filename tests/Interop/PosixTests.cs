using System.Text;
using Smtpd.Interop;

namespace Smtpd.Tests.Interop;

public class PosixTests
{
    [Fact]
    public void SocketPairCarriesBytesBothWaysAndIsCloseOnExec()
    {
        var (a, b) = Posix.SocketPair();
        using (a)
        using (b)
        {
            Assert.True(Posix.IsCloseOnExec(a));
            Assert.Equal(5, Posix.SendMsg(a, "hello"u8));
            var buf = new byte[16];
            var fds = new List<SafeFd>();
            int n = Posix.RecvMsg(b, buf, fds);
            Assert.Equal("hello", Encoding.ASCII.GetString(buf, 0, n));
            Assert.Empty(fds);
        }
    }

    [Fact]
    public void DescriptorPassedWithScmRightsIsUsableByTheReceiver()
    {
        var (a, b) = Posix.SocketPair();
        var (x, y) = Posix.SocketPair();
        using (a)
        using (b)
        using (y)
        {
            Posix.SendMsg(a, "F"u8, x.Fd);
            x.Dispose();
            var fds = new List<SafeFd>();
            var buf = new byte[4];
            Assert.Equal(1, Posix.RecvMsg(b, buf, fds));
            var received = Assert.Single(fds);
            using (received)
            {
                Assert.True(Posix.IsCloseOnExec(received));
                Posix.SendMsg(received, "through the passed fd"u8);
                var got = new byte[64];
                int n = Posix.RecvMsg(y, got, fds);
                Assert.Equal("through the passed fd", Encoding.ASCII.GetString(got, 0, n));
            }
        }
    }

    [Fact]
    public void RecvMsgReturnsZeroAtEndOfStream()
    {
        var (a, b) = Posix.SocketPair();
        a.Dispose();
        using (b)
        {
            Assert.Equal(0, Posix.RecvMsg(b, new byte[8], []));
        }
    }

    [Fact]
    public void SendMsgToAClosedPeerThrowsEpipeInsteadOfRaisingSigpipe()
    {
        var (a, b) = Posix.SocketPair();
        b.Dispose();
        using (a)
        {
            var e = Assert.Throws<PosixException>(() => Posix.SendMsg(a, "x"u8));
            Assert.Equal(Errno.EPIPE, e.Errno);
            Assert.Contains("sendmsg: Broken pipe", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void SpawnPlacesTheDescriptorAtThreeAndReportsTheExitStatus()
    {
        var (mine, theirs) = Posix.SocketPair();
        using (mine)
        {
            int pid = Posix.Spawn("/bin/sh", ["sh", "-c", "printf child >&3; exit 7"], [], [(theirs, 3)]);
            theirs.Dispose();
            var buf = new byte[16];
            int n = Posix.RecvMsg(mine, buf, []);
            Assert.Equal("child", Encoding.ASCII.GetString(buf, 0, n));
            var status = new WaitStatus(Posix.WaitPid(pid));
            Assert.True(status.Exited);
            Assert.Equal(7, status.ExitCode);
            Assert.Equal("exited abnormally", status.Describe());
        }
    }

    [Fact]
    public void SpawnedChildSeesNoDescriptorsAboveThoseItWasGiven()
    {
        using var extra = Posix.Open("/dev/null", Libc.O_RDONLY);
        Posix.SetCloseOnExec(extra, false);
        var (mine, theirs) = Posix.SocketPair();
        using (mine)
        {
            int pid = Posix.Spawn("/bin/sh", ["sh", "-c", "ls /proc/self/fd >&3"], [], [(theirs, 3)]);
            theirs.Dispose();
            var buf = new byte[256];
            var text = new StringBuilder();
            int n;
            while ((n = Posix.RecvMsg(mine, buf, [])) > 0)
            {
                text.Append(Encoding.ASCII.GetString(buf, 0, n));
            }

            Posix.WaitPid(pid);

            // 0-2 inherited stdio, 3 the socket; the ls itself opens one more for /proc/self/fd.
            var fds = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
            Assert.DoesNotContain(extra.Fd, fds.Where(f => f > 4));
            Assert.True(fds.Count <= 5, "child has descriptors: " + string.Join(",", fds));
        }
    }

    [Fact]
    public void SignalTerminationIsDescribedLikeOpenSmtpd()
    {
        int pid = Posix.Spawn("/bin/sleep", ["sleep", "30"], [], []);
        Assert.True(Posix.Kill(pid, Libc.SIGKILL));
        var status = new WaitStatus(Posix.WaitPid(pid));
        Assert.True(status.Signaled);
        Assert.Equal("terminated; signal 9", status.Describe());
    }

    [Fact]
    public void UserAndGroupLookupsFindRootAndMissNonexistentNames()
    {
        var root = Posix.GetPwNam("root");
        Assert.NotNull(root);
        Assert.Equal(0u, root.Uid);
        Assert.Equal("/root", root.Directory);
        Assert.Equal("root", Posix.GetPwUid(0)?.Name);
        Assert.Null(Posix.GetPwNam("no-such-user-smtpd-test"));
        Assert.Equal(0u, Posix.GetGrNam("root"));
        Assert.Null(Posix.GetGrNam("no-such-group-smtpd-test"));
    }

    [Fact]
    public void RenameNoReplaceMovesButNeverReplaces()
    {
        string dir = Directory.CreateTempSubdirectory("smtpd-rename").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "a"), "a");
            File.WriteAllText(Path.Combine(dir, "b"), "b");
            Assert.Equal(Errno.EEXIST, Posix.TryRenameNoReplace(Path.Combine(dir, "a"), Path.Combine(dir, "b")));
            Assert.Equal("b", File.ReadAllText(Path.Combine(dir, "b")));
            Assert.Equal(Errno.None, Posix.TryRenameNoReplace(Path.Combine(dir, "a"), Path.Combine(dir, "c")));
            Assert.False(File.Exists(Path.Combine(dir, "a")));
            Assert.Equal("a", File.ReadAllText(Path.Combine(dir, "c")));
            using (var fd = Posix.Open(dir, Libc.O_RDONLY | Libc.O_DIRECTORY))
            {
                Assert.Equal(Errno.None, Posix.TrySyncFileSystem(fd));
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void FsyncSucceedsOnAFileAndADirectoryAndFailsOnABadPath()
    {
        string dir = Directory.CreateTempSubdirectory("smtpd-fsync").FullName;
        try
        {
            string file = Path.Combine(dir, "f");
            using (var fd = Posix.Open(file, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL, 0b110_000_000))
            {
                Assert.Equal(Errno.None, Posix.TryFsync(fd));
                Assert.Equal(Errno.None, Posix.TryFdatasync(fd));
            }

            Assert.Equal(Errno.None, Posix.TryFsyncDirectory(dir));
            Assert.Equal(Errno.ENOENT, Posix.TryFsyncDirectory(Path.Combine(dir, "missing")));
            var e = Assert.Throws<PosixException>(() => Posix.Open(file, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL, 0));
            Assert.Equal(Errno.EEXIST, e.Errno);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void FlockExcludesASecondOpenFileDescription()
    {
        string file = Path.GetTempFileName();
        try
        {
            using var first = Posix.Open(file, Libc.O_RDWR);
            using var second = Posix.Open(file, Libc.O_RDWR);
            Assert.True(Posix.TryFlock(first, exclusive: true, wait: false, out _));
            Assert.False(Posix.TryFlock(second, exclusive: true, wait: false, out var err));
            Assert.Equal(Errno.EAGAIN, err);
            Posix.Unlock(first);
            Assert.True(Posix.TryFlock(second, exclusive: true, wait: false, out _));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void UmaskReturnsThePreviousMask()
    {
        uint old = Posix.Umask(0b000_010_010);
        Assert.Equal(0b000_010_010u, Posix.Umask(old));
    }

    [Fact]
    public void OpenFilesLimitCanBeRaisedToTheHardLimit()
    {
        var (_, hard) = Posix.GetOpenFilesLimit();
        Assert.Equal(hard, Posix.RaiseOpenFilesLimit());
    }

    [Fact]
    public void LStatReportsOwnerModeAndType()
    {
        string file = Path.GetTempFileName();
        try
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var st = Posix.TryLStat(file);
            Assert.NotNull(st);
            Assert.True(st.Value.IsRegular);
            Assert.Equal(Posix.GetEUid(), st.Value.Uid);
            Assert.Equal(0b110_000_000u, st.Value.Mode & 0xfff);
            Assert.Equal(1u, st.Value.Nlink);
            Assert.Null(Posix.TryLStat(file + ".missing"));
            Assert.True(Posix.TryLStat("/tmp")!.Value.IsDirectory);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void EnsureDirectorySetsTheModeEvenWhenTheDirectoryExists()
    {
        string dir = Path.Combine(Path.GetTempPath(), "smtpd-ensure-" + Guid.NewGuid().ToString("N"));
        try
        {
            Posix.EnsureDirectory(dir, 0b111_001_001);
            Assert.Equal(0b111_001_001u, Posix.TryLStat(dir)!.Value.Mode & 0xfff);
            Posix.EnsureDirectory(dir, 0b111_000_000);
            Assert.Equal(0b111_000_000u, Posix.TryLStat(dir)!.Value.Mode & 0xfff);
        }
        finally
        {
            Directory.Delete(dir);
        }
    }

    [Fact]
    public void StrErrorWordsErrnoAsGlibcDoes()
    {
        Assert.Equal("No space left on device", Posix.StrError(Errno.ENOSPC));
        Assert.Equal("chroot /nonexistent: No such file or directory", new PosixException((int)Errno.ENOENT, "chroot /nonexistent").Message);
    }
}
