// Client certificates pinned by fingerprint (`listen on ... fingerprints <table>`, our extension
// as Postfix's relay_clientcerts): a certificate no CA issued is accepted when its SHA-256
// fingerprint is in the table, in our log's form or Postfix's, and the client counts as
// authenticated as the table's value (or the certificate's CN) for `match auth`; with verify,
// a certificate neither from the ca nor pinned ends the session.
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class ClientFingerprintTests
{
    private const string TestUser = "smtpdtest";

    private const string Send = """
        import smtplib, ssl, sys
        port, ca, rcpt = int(sys.argv[1]), sys.argv[2], sys.argv[3]
        ctx = ssl.create_default_context(cafile=ca)
        if len(sys.argv) > 4: ctx.load_cert_chain(sys.argv[4], sys.argv[5])
        s = smtplib.SMTP("127.0.0.1", port, local_hostname="client.example.net", timeout=30)
        s._host = "mx.example.org"
        try:
            s.starttls(context=ctx)
            s.ehlo()
            s.mail("sender@example.net")
            code, text = s.rcpt(rcpt)
            print("rcpt:", code)
            if code == 250:
                s.data("Subject: pinned\r\n\r\nhi\r\n")
                print("sent")
            s.quit()
        except (ssl.SSLError, smtplib.SMTPException, OSError) as e:
            print("refused:", type(e).__name__)
        """;

    public ClientFingerprintTests()
    {
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
            Binary.EnsureUser(TestUser);
        }
    }

    private static PasswdEntry Recipient => Binary.IsRoot ? Posix.GetPwNam(TestUser)! : Posix.GetPwUid(Posix.GetEUid())!;

    private static string Python(params string[] args)
    {
        var r = Binary.Run("python3", ["-c", Send, .. args], timeout: TimeSpan.FromSeconds(60));
        Assert.True(r.Code == 0, $"python3 failed ({r.Code}): {r.Err}\n{r.Out}");
        return r.Out;
    }

    private static (Daemon Daemon, string Mail) Start(string conf)
    {
        string mail = Path.Combine(Path.GetTempPath(), "smtpd-mail-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(mail);
        Binary.Run("chown", [$"{Recipient.Uid}:{Recipient.Gid}", mail]);
        conf += $"action \"local\" maildir \"{mail}/%{{user.username}}\"\nmatch auth from any for local action \"local\"\n";
        return (Daemon.Start(conf).WaitReady(), mail);
    }

    [EndToEndFact]
    public void APinnedSelfSignedCertificateAuthenticatesAsTheTablesIdentityAndAnUnpinnedOneDoesNot()
    {
        var pki = TestPki.Create();
        var (alice, aliceKey) = pki.SelfSigned("alice", "alice-laptop");
        var (bob, bobKey) = pki.SelfSigned("bob", "bob-phone");
        var (stranger, strangerKey) = pki.SelfSigned("stranger", "stranger");
        string aliceFp = "SHA256:" + TestPki.Fingerprint(alice).Replace(":", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
        string conf = pki.PkiLine("mx.example.org")
            + $"table pins {{ \"{aliceFp}\" = \"alice\", \"{TestPki.Fingerprint(bob)}\" = \"\" }}\n"
            + "listen on 127.0.0.1 port {PORT} tls pki mx.example.org fingerprints <pins>\n";
        var (d, mail) = Start(conf);
        using (d)
        {
            string port = d.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string rcpt = $"{Recipient.Name}@localhost";

            // No certificate, or one nobody pinned: not authenticated, so no rule matches.
            Assert.Contains("rcpt: 550", Python(port, pki.CaCert, rcpt), StringComparison.Ordinal);
            Assert.Contains("rcpt: 550", Python(port, pki.CaCert, rcpt, stranger, strangerKey), StringComparison.Ordinal);
            Assert.DoesNotContain("cert-pinned", d.Log, StringComparison.Ordinal);

            Assert.Contains("sent", Python(port, pki.CaCert, rcpt, alice, aliceKey), StringComparison.Ordinal);
            Assert.Contains($"smtp cert-pinned fingerprint=\"{aliceFp}\" identity=\"alice\"", d.Log, StringComparison.Ordinal);
            Assert.Matches(@"[0-9a-f]{16} smtp authentication user=alice result=ok", d.Log);

            // Postfix's spelling of the fingerprint; no value: the certificate's CN is the identity.
            Assert.Contains("sent", Python(port, pki.CaCert, rcpt, bob, bobKey), StringComparison.Ordinal);
            Assert.Matches(@"[0-9a-f]{16} smtp authentication user=bob-phone result=ok", d.Log);

            string dir = Path.Combine(mail, Recipient.Name, "new");
            Wait.Until(() => Directory.Exists(dir) && Directory.GetFiles(dir).Length == 2, "both pinned clients' messages are delivered");
            Assert.All(Directory.GetFiles(dir), f => Assert.Matches(@"with ESMTPSA id [0-9a-f]{8} \(TLSv1\.3:TLS_[A-Z0-9_]+:(128|256):YES\)", File.ReadAllText(f)));
        }

        Directory.Delete(mail, true);
    }

    [EndToEndFact]
    public void WithVerifyACertificateFromTheCaOrAPinnedOneGetsInAndAnyOtherEndsTheSession()
    {
        var pki = TestPki.Create();
        var (issued, issuedKey) = pki.Issue("client", ec: false, client: true, "client.example.net");
        var (pinned, pinnedKey) = pki.SelfSigned("pinned", "pinned-host");
        var (stranger, strangerKey) = pki.SelfSigned("stranger", "stranger");
        string conf = pki.PkiLine("mx.example.org") + $"ca clients cert \"{pki.CaCert}\"\n"
            + $"table pins {{ \"{TestPki.Fingerprint(pinned)}\" }}\n"
            + "listen on 127.0.0.1 port {PORT} tls-require verify pki mx.example.org ca clients fingerprints <pins> auth-optional\n";
        var (d, mail) = Start(conf);
        using (d)
        {
            string port = d.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string rcpt = $"{Recipient.Name}@localhost";
            Assert.Contains("refused:", Python(port, pki.CaCert, rcpt, stranger, strangerKey), StringComparison.Ordinal);
            Wait.Until(() => d.Log.Contains("handshake failed: client certificate neither verified nor pinned", StringComparison.Ordinal), () => "the session ends:\n" + d.Log);
            Assert.Contains("refused:", Python(port, pki.CaCert, rcpt), StringComparison.Ordinal);

            Assert.Contains("sent", Python(port, pki.CaCert, rcpt, pinned, pinnedKey), StringComparison.Ordinal);
            Assert.Matches(@"[0-9a-f]{16} smtp authentication user=pinned-host result=ok", d.Log);
            Assert.Contains("sent", Python(port, pki.CaCert, rcpt, issued, issuedKey), StringComparison.Ordinal);
            Assert.Contains("smtp cert-subject subject=\"/CN=client.example.net\"", d.Log, StringComparison.Ordinal);
            Assert.Matches(@"[0-9a-f]{16} smtp authentication user=client\.example\.net result=ok", d.Log);
        }

        Directory.Delete(mail, true);
    }

    [EndToEndFact]
    public void FingerprintsWithoutTlsIsAnErrorOfTheListenLine()
    {
        var pki = TestPki.Create();
        string conf = Path.Combine(pki.Dir, "smtpd.conf");
        File.WriteAllText(conf, "table pins { \"SHA256:00\" }\nlisten on 127.0.0.1 port 2525 fingerprints <pins>\naction \"local\" maildir\nmatch for local action \"local\"\n");
        var r = Binary.Run(Binary.Require(), ["-n", "-f", conf]);
        Assert.Equal(1, r.Code);
        Assert.Contains($"{conf}:2: ", r.Err, StringComparison.Ordinal);
        Assert.Contains("fingerprints requires tls, tls-require or smtps", r.Err, StringComparison.Ordinal);
    }
}
