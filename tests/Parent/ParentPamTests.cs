// System users through PAM with the service file the packages ship (packaging/pam.d/smtpd),
// installed for the test under a name of its own: the right password passes, a wrong one, an
// unknown user, an expired account (pam_acct_mgmt; the shadow check alone would let it in) and
// an empty password (even with pam_unix's nullok) do not.
using Smtpd.Interop;
using Smtpd.Ipc.Messages;
using Smtpd.Parent;
using Smtpd.Tests.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.Parent;

public sealed class ParentPamTests : IDisposable
{
    private const string User = "smtpdpamtest";

    private readonly string _service = "smtpd-test-" + Guid.NewGuid().ToString("N")[..8];

    // Runs only for tests PamFact did not skip: as root, with libpam and Debian's layout.
    public ParentPamTests()
    {
        string shipped = Path.Combine(RepoRoot(), "packaging", "pam.d", "smtpd");
        File.Copy(shipped, "/etc/pam.d/" + _service);
        if (Posix.GetPwNam(User) is null)
        {
            Binary.Run("useradd", ["--no-create-home", "--shell", "/usr/sbin/nologin", User]);
        }

        Assert.Equal(0, Binary.Run("usermod", ["-p", PosixCryptTests.Sha512Hash, "-e", string.Empty, User]).Code);
    }

    public void Dispose()
    {
        File.Delete("/etc/pam.d/" + _service);
        Binary.Run("userdel", [User]);
    }

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "packaging", "pam.d", "smtpd")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("packaging/pam.d/smtpd not found above " + AppContext.BaseDirectory);
    }

    private PamVerdict Pam(string user, string password) => Posix.PamAuthenticate(_service, user, System.Text.Encoding.Latin1.GetBytes(password));

    [PamFact]
    public void TheRightPasswordPassesAndAWrongOneOrAnUnknownUserDoesNot()
    {
        Assert.Equal(PamVerdict.Ok, Pam(User, "correct horse"));
        Assert.Equal(PamVerdict.Refused, Pam(User, "correct horsE"));
        Assert.Equal(PamVerdict.Refused, Pam("no-such-user-" + Guid.NewGuid().ToString("N")[..8], "correct horse"));
    }

    [PamFact]
    public void AnExpiredAccountIsRefusedByPamThoughItsPasswordIsRight()
    {
        Assert.Equal(0, Binary.Run("usermod", ["-e", "1970-01-02", User]).Code);
        Assert.Equal(PamVerdict.Refused, Pam(User, "correct horse"));

        // The shadow check alone knows nothing of expiry.
        Assert.Equal(AuthStatus.Ok, ParentAuth.Check(User, "correct horse"));
    }

    [PamFact]
    public void AnEmptyPasswordNeverPassesEvenWithNullok()
    {
        Assert.Contains("nullok", File.ReadAllText("/etc/pam.d/common-auth"), StringComparison.Ordinal);
        Assert.Equal(0, Binary.Run("usermod", ["-p", string.Empty, User]).Code);
        Assert.Equal(PamVerdict.Refused, Pam(User, string.Empty));
        Assert.Equal(PamVerdict.Refused, Pam(User, "anything"));
    }
}
