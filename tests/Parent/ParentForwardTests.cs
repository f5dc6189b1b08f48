using Smtpd.Interop;
using Smtpd.Parent;

namespace Smtpd.Tests.Parent;

public sealed class ParentForwardTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("smtpd-home-").FullName;
    private readonly uint _uid = Posix.GetEUid();

    public void Dispose() => Directory.Delete(_home, true);

    private string Forward => Path.Combine(_home, ".forward");

    private Errno Open(uint? uid = null)
    {
        var (errno, fd) = ParentForward.Open(_home, uid ?? _uid);
        fd?.Dispose();
        Assert.Equal(errno == Errno.None, fd is not null);
        return errno;
    }

    [Fact]
    public void ASafeForwardOwnedByTheUserIsOpened()
    {
        File.WriteAllText(Forward, "bob\n");
        File.SetUnixFileMode(Forward, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        Assert.Equal(Errno.None, Open());
    }

    [Fact]
    public void NoForwardIsNotAnError() => Assert.Equal(Errno.ENOENT, Open());

    [Fact]
    public void AMissingHomeIsLikeNoForward() =>
        Assert.Equal(Errno.ENOENT, ParentForward.Open(Path.Combine(_home, "gone"), _uid).Item1);

    [Fact]
    public void AForwardOthersMayWriteIsRefused()
    {
        File.WriteAllText(Forward, "bob\n");
        File.SetUnixFileMode(Forward, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite);
        Assert.Equal(Errno.EPERM, Open());
    }

    [Fact]
    public void AForwardOfAnotherUserIsRefused()
    {
        File.WriteAllText(Forward, "bob\n");
        Assert.Equal(Errno.EPERM, Open(_uid + 4242));
    }

    [Fact]
    public void ASymbolicLinkIsNotFollowed()
    {
        string target = Path.Combine(_home, "elsewhere");
        File.WriteAllText(target, "bob\n");
        File.CreateSymbolicLink(Forward, target);
        Assert.Equal(Errno.ELOOP, Open());
    }

    [Fact]
    public void ADirectoryIsNotAForward()
    {
        Directory.CreateDirectory(Forward);
        Assert.Equal(Errno.EPERM, Open());
    }

    [Fact]
    public void AStickyHomeMeansTryLater()
    {
        File.WriteAllText(Forward, "bob\n");
        File.SetUnixFileMode(_home, File.GetUnixFileMode(_home) | UnixFileMode.StickyBit);
        Assert.Equal(Errno.EAGAIN, Open());
    }

    [Fact]
    public void AHomeOthersMayWriteMakesTheForwardUntrusted()
    {
        File.WriteAllText(Forward, "bob\n");
        File.SetUnixFileMode(_home, File.GetUnixFileMode(_home) | UnixFileMode.OtherWrite);
        Assert.Equal(Errno.EPERM, Open());
    }
}
