// The parent's check of system users for AUTH: the shadow hash decides; unknown users and locked
// accounts fail; a lookup that errs is a temporary failure. The last test reads the real
// /etc/shadow (as root) for a user made with a known password.
using Smtpd.Interop;
using Smtpd.Ipc.Messages;
using Smtpd.Parent;
using Smtpd.Tests.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.Parent;

public class ParentAuthTests
{
    private static readonly Dictionary<string, string> Shadow = new()
    {
        ["alice"] = PosixCryptTests.Sha512Hash,
        ["bob"] = PosixCryptTests.BcryptHash,
        ["locked"] = "!" + PosixCryptTests.Sha512Hash,
        ["nopass"] = "*",
        ["empty"] = "",
    };

    private static AuthStatus Check(string user, string password) => ParentAuth.Check(user, password, name => Shadow.GetValueOrDefault(name));

    [Theory]
    [InlineData("alice", "correct horse", AuthStatus.Ok)]
    [InlineData("alice", "wrong", AuthStatus.Fail)]
    [InlineData("bob", "U*U", AuthStatus.Ok)]
    [InlineData("locked", "correct horse", AuthStatus.Fail)]
    [InlineData("nopass", "*", AuthStatus.Fail)]
    [InlineData("empty", "", AuthStatus.Fail)]
    [InlineData("mallory", "correct horse", AuthStatus.Fail)]
    internal void TheShadowHashDecides(string user, string password, AuthStatus expected) => Assert.Equal(expected, Check(user, password));

    [Fact]
    public void AShadowDatabaseThatCannotBeReadIsATemporaryFailure() =>
        Assert.Equal(AuthStatus.TempFail, ParentAuth.Check("alice", "correct horse", _ => throw new PosixException((int)Errno.EACCES, "getspnam_r")));

    [RootFact("unprivileged, the shadow file cannot be read and other NSS sources may still answer")]
    public void TheRealShadowDatabaseIsRead()
    {

        const string user = "smtpdauthtest";
        if (Posix.GetPwNam(user) is null)
        {
            Binary.Run("useradd", ["--no-create-home", "--shell", "/usr/sbin/nologin", user]);
        }

        // The known password lives only as long as the test: the account is locked again after.
        Assert.Equal(0, Binary.Run("usermod", ["-p", PosixCryptTests.Sha512Hash, user]).Code);
        try
        {
            Assert.Equal(PosixCryptTests.Sha512Hash, Posix.GetShadowHash(user));
            Assert.Null(Posix.GetShadowHash("no-such-user-" + Guid.NewGuid().ToString("N")[..8]));
            Assert.Equal(AuthStatus.Ok, ParentAuth.Check(user, "correct horse"));
            Assert.Equal(AuthStatus.Fail, ParentAuth.Check(user, "correct horsE"));
        }
        finally
        {
            Binary.Run("usermod", ["-p", "!", user]);
        }

        Assert.Equal(AuthStatus.Fail, ParentAuth.Check(user, "correct horse"));
    }
}
