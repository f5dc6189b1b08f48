// The checks that make a helper's drop to its user trustworthy; the drop itself is exercised by
// the end-to-end tests (it cannot be undone in the test process).
using Smtpd.Interop;
using Smtpd.Mda;

namespace Smtpd.Tests.Mda;

public class PrivilegeDropTests
{
    [Theory]
    [InlineData(uint.MaxValue, 100u)]
    [InlineData(100u, uint.MaxValue)]
    public void IdsOfMinusOneAreRefusedBeforeAnythingChanges(uint uid, uint gid)
    {
        var before = (Posix.GetResUid(), Posix.GetResGid());
        Assert.Equal($"invalid user ids {uid}:{gid}", PrivilegeDrop.Become(uid, gid));
        Assert.Equal(before, (Posix.GetResUid(), Posix.GetResGid()));
    }

    [Fact]
    public void AProcessThatIsNotTheTargetFailsVerification()
    {
        uint other = Posix.GetEUid() + 12345;
        Assert.StartsWith("user ids are ", PrivilegeDrop.Verify(other, Posix.GetEGid()), StringComparison.Ordinal);
    }

    [Fact]
    public void GroupsThatAreNotTheTargetFailVerification()
    {
        var u = Posix.GetResUid();
        Assert.StartsWith("group ids are ", PrivilegeDrop.Verify(u.Effective, Posix.GetEGid() + 12345), StringComparison.Ordinal);
    }
}
