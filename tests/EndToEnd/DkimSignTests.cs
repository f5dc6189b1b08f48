// Our builtin DKIM signer (filter ... dkim-sign), end to end: mail from the configured domain is
// signed with rsa-sha256 or ed25519-sha256 and an independent verifier (dkimpy) accepts the
// signature; mail from another domain passes unsigned. The key is root's alone when the daemon
// runs as root: the lookup agent reads it before it drops privileges.
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class DkimSignTests
{
    private const string TestUser = "smtpdtest";

    public DkimSignTests()
    {
        if (Binary.IsRoot && Binary.Path is not null)
        {
            Binary.EnsureSystemUsers();
            Binary.EnsureUser(TestUser);
        }
    }

    private static PasswdEntry Recipient => Binary.IsRoot ? Posix.GetPwNam(TestUser)! : Posix.GetPwUid(Posix.GetEUid())!;

    [EndToEndTheory]
    [InlineData("rsa-sha256", "RSA")]
    [InlineData("ed25519-sha256", "ED25519")]
    public void MailFromTheDomainIsSignedAndVerifiesAndOtherMailIsNot(string algorithm, string keyType)
    {
        string dir = Path.Combine(Path.GetTempPath(), "smtpd-dkimsign-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
            string key = Path.Combine(dir, "key.pem");
            string pub = Path.Combine(dir, "pub.pem");
            string[] gen = keyType == "RSA" ? ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key] : ["genpkey", "-algorithm", "ED25519", "-out", key];
            Assert.Equal(0, Binary.Run("openssl", gen).Code);
            Assert.Equal(0, Binary.Run("openssl", ["pkey", "-in", key, "-pubout", "-out", pub]).Code);
            File.SetUnixFileMode(key, (UnixFileMode)0b110_000_000);
            string mail = Path.Combine(dir, "mail");
            Directory.CreateDirectory(mail);
            Binary.Run("chown", [$"{Recipient.Uid}:{Recipient.Gid}", mail]);
            string config = $"filter \"sign\" dkim-sign domain \"example.org\" selector \"s2026\" key \"{key}\" algorithm \"{algorithm}\"\n"
                + "listen on 127.0.0.1 port {PORT} filter \"sign\"\n"
                + $"action \"local\" maildir \"{mail}/%{{user.username}}\"\nmatch from any for local action \"local\"\n";
            using var d = Daemon.Start(config).WaitReady();
            string rcpt = $"{Recipient.Name}@localhost";
            using (var c = new SmtpClientHelper(d.Port))
            {
                Assert.StartsWith("250", c.SendMail("alice@mail.example.org", [rcpt], "From: Alice <alice@mail.example.org>\r\nTo: bob@example.net,\r\n  carol@example.net\r\nCc: dave@example.net\r\nReply-To: alice@example.org\r\nSubject:  signed,\r\n\tfolded  \r\nDate: Mon, 7 Dec 2026 10:00:00 +0000\r\nMessage-ID: <1@example.org>\r\nIn-Reply-To: <0@example.org>\r\nReferences: <0@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain;\r\n charset=us-ascii\r\n\r\nThis  message is signed. \t\r\n..a dotted line.\r\n\r\n"), StringComparison.Ordinal);
            }

            using (var c = new SmtpClientHelper(d.Port))
            {
                Assert.StartsWith("250", c.SendMail("carol@example.com", [rcpt], "From: carol@example.com\r\nSubject: not ours\r\n\r\nhello\r\n"), StringComparison.Ordinal);
            }

            string newDir = Path.Combine(mail, Recipient.Name, "new");
            Wait.Until(() => Directory.Exists(newDir) && Directory.GetFiles(newDir).Length == 2, "both messages are delivered");
            var files = Directory.GetFiles(newDir);
            string signed = Assert.Single(files, f => File.ReadAllText(f).Contains("Subject:  signed,", StringComparison.Ordinal));
            string text = File.ReadAllText(signed);
            Assert.Contains($"DKIM-Signature: v=1; a={algorithm}; d=example.org; s=s2026;", text, StringComparison.Ordinal);
            Assert.Contains("\n.a dotted line.\n", text, StringComparison.Ordinal);
            var verify = Binary.Run("/usr/bin/python3", [Path.Combine(AppContext.BaseDirectory, "EndToEnd", "Filters", "dkim_verify.py"), signed, pub]);
            Assert.True(verify.Code == 0, verify.Out + verify.Err + "\n" + text);
            string other = Assert.Single(files, f => f != signed);
            Assert.DoesNotContain("DKIM-Signature", File.ReadAllText(other), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
