// A passwd: table (table-passwd's virtual-user file) for both AUTH and the userbase: a virtual
// user authenticates over smtps with swaks and mail to it lands in the home the file gives it,
// as the uid it gives; `smtpctl update table` re-reads the file, and a broken file is refused
// by the update while the old users keep working. Root only: delivery runs as a system user.
using System.Globalization;
using Smtpd.Interop;
using Smtpd.Tests.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public sealed class PasswdTableEndToEndTests : IDisposable
{
    private const string SystemUser = "smtpdtest";
    private readonly string _dir;

    public PasswdTableEndToEndTests()
    {
        _dir = Directory.CreateTempSubdirectory("smtpd-passwd-e2e-").FullName;
        File.SetUnixFileMode(_dir, (UnixFileMode)0b111_101_101);
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
            Binary.EnsureUser(SystemUser);
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [EndToEndFact(needsRoot: true)]
    public void VirtualUsersAuthenticateAndReceiveMailFromAPasswdFile()
    {
        var pw = Posix.GetPwNam(SystemUser)!;
        string home = Path.Combine(_dir, "bob");
        Directory.CreateDirectory(home);
        Binary.Run("chown", [$"{pw.Uid}:{pw.Gid}", home]);
        string passwd = Path.Combine(_dir, "vpasswd");
        string bob = $"bob:{PosixCryptTests.BcryptHash}:{pw.Uid}:{pw.Gid}:Bob:{home}:/sbin/nologin\n";
        File.WriteAllText(passwd, "# virtual users\n" + bob);

        var pki = TestPki.Create();
        int smtps = Daemon.FreePort();
        string conf = pki.PkiLine("mx.example.org")
            + $"table vpasswd passwd:{passwd}\n"
            + $"listen on 127.0.0.1 port {{PORT}}\nlisten on 127.0.0.1 port {smtps.ToString(CultureInfo.InvariantCulture)} smtps pki mx.example.org auth <vpasswd>\n"
            + "action \"vusers\" maildir userbase <vpasswd>\n"
            + "match from any for domain \"example.org\" action \"vusers\"\n";
        using var d = Daemon.Start(conf).WaitReady();

        Assert.Contains("235 2.0.0 Authentication succeeded", Swaks(smtps, "bob", "U*U").Out, StringComparison.Ordinal);
        Assert.Contains("535 Authentication failed", Swaks(smtps, "bob", "wrong").Out, StringComparison.Ordinal);
        Assert.Contains("535 Authentication failed", Swaks(smtps, "carol", "correct horse").Out, StringComparison.Ordinal);

        string delivered = Path.Combine(home, "Maildir", "new");
        Wait.Until(() => Directory.Exists(delivered) && Directory.GetFiles(delivered).Length == 1, "bob's mail in " + delivered);
        Assert.Equal(pw.Uid, Posix.TryLStat(Directory.GetFiles(delivered)[0])!.Value.Uid);

        // A new user after `smtpctl update table`.
        File.WriteAllText(passwd, bob + $"carol:{PosixCryptTests.Sha512Hash}:{pw.Uid}:{pw.Gid}::{home}:\n");
        Assert.Equal((0, "command succeeded\n"), Ctl(d));
        Assert.Contains("235 2.0.0 Authentication succeeded", Swaks(smtps, "carol", "correct horse").Out, StringComparison.Ordinal);

        // A broken file is refused, naming its line; the users read before still log in.
        File.WriteAllText(passwd, bob + "dave:x:1000\n");
        var (code, output) = Ctl(d);
        Assert.Equal(1, code);
        Assert.Equal($"command failed: {passwd}:2: invalid entry: expected user:password:uid:gid:gecos:home[:shell]\n", output);
        Assert.Contains("235 2.0.0 Authentication succeeded", Swaks(smtps, "carol", "correct horse").Out, StringComparison.Ordinal);
    }

    private static (int Code, string Out) Ctl(Daemon d)
    {
        var r = d.Ctl("update", "table", "vpasswd");
        return (r.Code, r.Out);
    }

    private static (int Code, string Out, string Err) Swaks(int port, string user, string password) =>
        Binary.Run("swaks", ["--server", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--tls-on-connect", "--auth", "PLAIN", "--auth-user", user, "--auth-password", password,
            "--from", $"{user}@example.org", "--to", "bob@example.org", "--helo", "client.example.net"], timeout: TimeSpan.FromSeconds(60));
}
