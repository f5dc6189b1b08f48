// Debian's packaged filters as real peers of the daemon: filter-dkimsign (libopensmtpd, C)
// signs what we accept, and an independent verifier (dkimpy) accepts the signature.
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class DebianFilterTests
{
    private const string TestUser = "smtpdtest";
    private const string DkimSign = "/usr/libexec/opensmtpd/filter-dkimsign";
    private const string SenderScore = "/usr/libexec/opensmtpd/filter-senderscore";

    public DebianFilterTests()
    {
        if (Binary.IsRoot && Binary.Path is not null)
        {
            Binary.EnsureSystemUsers();
            Binary.EnsureUser(TestUser);
        }
    }

    private static PasswdEntry Recipient => Binary.IsRoot ? Posix.GetPwNam(TestUser)! : Posix.GetPwUid(Posix.GetEUid())!;

    [EndToEndFact]
    public void DebiansFilterDkimsignSignsWhatWeAcceptAndDkimpyVerifiesIt()
    {
        Assert.True(File.Exists(DkimSign), "opensmtpd-filter-dkimsign is installed (Makefile TEST_PKGS)");
        string dir = Path.Combine(Path.GetTempPath(), "smtpd-dkim-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
            string key = Path.Combine(dir, "key.pem");
            string pub = Path.Combine(dir, "pub.pem");
            Assert.Equal(0, Binary.Run("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key]).Code);
            Assert.Equal(0, Binary.Run("openssl", ["pkey", "-in", key, "-pubout", "-out", pub]).Code);
            File.SetUnixFileMode(key, (UnixFileMode)0b110_100_100);
            string mail = Path.Combine(dir, "mail");
            Directory.CreateDirectory(mail);
            Binary.Run("chown", [$"{Recipient.Uid}:{Recipient.Gid}", mail]);
            string config = $"filter \"dkim\" proc-exec \"filter-dkimsign -d example.org -s sel -c relaxed/relaxed -k {key}\"\n"
                + "listen on 127.0.0.1 port {PORT} filter \"dkim\"\n"
                + $"action \"local\" maildir \"{mail}/%{{user.username}}\"\nmatch from any for local action \"local\"\n";
            using var d = Daemon.Start(config).WaitReady();
            using (var c = new SmtpClientHelper(d.Port))
            {
                string reply = c.SendMail("alice@example.org", [$"{Recipient.Name}@localhost"], "From: Alice <alice@example.org>\r\nTo: someone@example.net\r\nSubject: signed\r\nDate: Mon, 7 Dec 2026 10:00:00 +0000\r\n\r\nThis message is signed.\r\n..and this line started with a dot.\r\n");
                Assert.True(reply.StartsWith("250", StringComparison.Ordinal), reply + "\n" + d.Log);
            }

            string newDir = Path.Combine(mail, Recipient.Name, "new");
            Wait.Until(() => Directory.Exists(newDir) && Directory.GetFiles(newDir).Length == 1, "the signed message is delivered");
            string file = Directory.GetFiles(newDir)[0];
            string text = File.ReadAllText(file);
            Assert.Contains("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; s=sel;", text, StringComparison.Ordinal);
            Assert.Contains(" d=example.org;", text, StringComparison.Ordinal);
            Assert.Contains("\n.and this line started with a dot.\n", text, StringComparison.Ordinal);
            var verify = Binary.Run("/usr/bin/python3", [Path.Combine(AppContext.BaseDirectory, "EndToEnd", "Filters", "dkim_verify.py"), file, pub]);
            Assert.True(verify.Code == 0, verify.Out + verify.Err + "\n" + text);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    // filter-senderscore (Go) asks the DNS for the client's reputation: it reads /etc/resolv.conf
    // itself, so the daemon runs in a mount namespace where that file names a fake nameserver of
    // ours, which gives 127.0.0.1 a score of 77; the filter writes it into the message.
    [RootFact("binds a fake nameserver on port 53 and a resolv.conf over /etc/resolv.conf in a mount namespace")]
    public void DebiansFilterSenderscoreRegistersReadsReportsAndAddsItsHeader()
    {
        Assert.True(File.Exists(SenderScore), "opensmtpd-filter-senderscore is installed (Makefile TEST_PKGS)");
        using var dns = Smtpd.Tests.Dns.FakeDnsServer.OnPort53();
        dns.Zone[("1.0.0.127.score.senderscore.com", 1)] = [(1, [127, 0, 4, 77])];
        string dir = Directory.CreateTempSubdirectory("smtpd-senderscore-").FullName;
        try
        {
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
            string resolv = Path.Combine(dir, "resolv.conf");
            File.WriteAllText(resolv, $"nameserver {dns.EndPoint.Address}\noptions timeout:1 attempts:1\n");
            File.SetUnixFileMode(resolv, (UnixFileMode)0b110_100_100);
            string mail = Path.Combine(dir, "mail");
            Directory.CreateDirectory(mail);
            Binary.Run("chown", [$"{Recipient.Uid}:{Recipient.Gid}", mail]);
            string config = $"filter \"score\" proc-exec \"{SenderScore} -scoreHeader\"\n"
                + "listen on 127.0.0.1 port {PORT} filter \"score\"\n"
                + $"action \"local\" maildir \"{mail}/%{{user.username}}\"\nmatch from any for local action \"local\"\n";
            using var d = Daemon.Start(config, rootPrelude: $"mount --bind {resolv} /etc/resolv.conf").WaitReady();
            try
            {
                using var c = new SmtpClientHelper(d.Port);
                string reply = c.SendMail("alice@example.org", [$"{Recipient.Name}@localhost"], "From: alice@example.org\r\nSubject: scored\r\n\r\nbody\r\n");
                Assert.True(reply.StartsWith("250", StringComparison.Ordinal), reply + "\n" + d.Log);
            }
            catch (IOException e)
            {
                throw new IOException(e.Message + "\n" + d.Log, e);
            }

            string newDir = Path.Combine(mail, Recipient.Name, "new");
            Wait.Until(() => Directory.Exists(newDir) && Directory.GetFiles(newDir).Length == 1, "the message is delivered:\n" + d.Log);
            string text = File.ReadAllText(Directory.GetFiles(newDir)[0]);
            Assert.Contains("X-SenderScore: 77", text, StringComparison.Ordinal);
            Assert.Contains("\nbody\n", text, StringComparison.Ordinal);
            Assert.Contains("1.0.0.127.score.senderscore.com", dns.QueriedNames, StringComparer.OrdinalIgnoreCase);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
