using Smtpd.Interop;

namespace Smtpd.Tests.Interop;

public sealed class PosixPathsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "smtpd-paths-" + Guid.NewGuid().ToString("N"));

    public PosixPathsTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    [Fact]
    public void CreateExclusiveWritesReadsAndRefusesAnExistingName()
    {
        Assert.Equal(Errno.None, Posix.TryCreateExclusive(P("f"), 0b110_000_000, out SafeFd? fd));
        using (fd)
        {
            Assert.Equal(Errno.None, Posix.TryWriteAll(fd!, "hello world"u8));
            Assert.Equal(Errno.None, Posix.TrySeek(fd!, 6));
            byte[] buf = new byte[16];
            Assert.Equal(Errno.None, Posix.TryRead(fd!, buf, out int n));
            Assert.Equal("world"u8.ToArray(), buf[..n]);
            Assert.Equal(Errno.None, Posix.TryRead(fd!, buf, out n));
            Assert.Equal(0, n);
            Assert.True(Posix.IsCloseOnExec(fd!));
        }

        Assert.Equal(Errno.EEXIST, Posix.TryCreateExclusive(P("f"), 0b110_000_000, out SafeFd? again));
        Assert.Null(again);
        Assert.Equal(Errno.None, Posix.TryStatus(P("f"), out FileStatus st));
        Assert.True(st.IsRegular);
        Assert.Equal(11UL, st.Size);
    }

    [Fact]
    public void OpenReadRefusesASymbolicLink()
    {
        File.WriteAllText(P("target"), "x");
        File.CreateSymbolicLink(P("link"), P("target"));
        Assert.Equal(Errno.ELOOP, Posix.TryOpenRead(P("link"), out SafeFd? fd));
        Assert.Null(fd);
        Assert.Equal(Errno.None, Posix.TryStatus(P("link"), out FileStatus st));
        Assert.False(st.IsRegular);
    }

    [Fact]
    public void LinkDoesNotReplaceButRenameDoes()
    {
        File.WriteAllText(P("a"), "a");
        File.WriteAllText(P("b"), "b");
        Assert.Equal(Errno.EEXIST, Posix.TryLink(P("a"), P("b")));
        Assert.Equal(Errno.None, Posix.TryLink(P("a"), P("c")));
        Assert.Equal(Errno.None, Posix.TryRename(P("a"), P("b")));
        Assert.Equal("a", File.ReadAllText(P("b")));
        Assert.Equal(Errno.ENOENT, Posix.TryRename(P("a"), P("d")));
    }

    [Fact]
    public void DirectoryCallsReportTheirErrno()
    {
        Assert.Equal(Errno.None, Posix.TryMkdir(P("d"), 0b111_000_000));
        Assert.Equal(Errno.EEXIST, Posix.TryMkdir(P("d"), 0b111_000_000));
        File.WriteAllText(P("d/f"), "x");
        Assert.Equal(Errno.ENOTEMPTY, Posix.TryRmdir(P("d")));
        Assert.Equal(Errno.EISDIR, Posix.TryUnlink(P("d")));
        Assert.Equal(Errno.None, Posix.TryUnlink(P("d/f")));
        Assert.Equal(Errno.ENOENT, Posix.TryUnlink(P("d/f")));
        Assert.Equal(Errno.None, Posix.TryRmdir(P("d")));
        Assert.Equal(Errno.ENOENT, Posix.TryStatus(P("d"), out _));
        Assert.Equal(Errno.ENOENT, Posix.TryMkdir(P("x/y"), 0b111_000_000));
    }
}
