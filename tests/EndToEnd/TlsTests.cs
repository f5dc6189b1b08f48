// TLS on smtp-in, against the real binary with real clients: Python's ssl and smtplib, the
// openssl command (STARTTLS, SNI) and swaks; certificates made at test time (TestPki).
// What the user sees: STARTTLS offered on tls listeners and not after TLS, smtps, mail accepted
// and stamped "with ESMTPS (version:cipher:bits:verified)", OpenSMTPD's log lines and replies,
// plaintext pipelined behind STARTTLS thrown away, client certificates verified.
using System.Text.RegularExpressions;
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class TlsTests
{
    private const string TestUser = "smtpdtest";

    public TlsTests()
    {
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
            Binary.EnsureUser(TestUser);
        }
    }

    private static PasswdEntry Recipient => Binary.IsRoot ? Posix.GetPwNam(TestUser)! : Posix.GetPwUid(Posix.GetEUid())!;

    /// <summary>
    /// A daemon whose config is <paramref name="listeners"/> ({PORT} and {PORT2} free ports, pki
    /// lines first) and local delivery into {mail}/USER; returns the second port too.
    /// </summary>
    private static (Daemon Daemon, string Mail, int Port2) Start(string pkis, string listeners)
    {
        string mail = Path.Combine(Path.GetTempPath(), "smtpd-mail-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(mail);
        Binary.Run("chown", [$"{Recipient.Uid}:{Recipient.Gid}", mail]);
        int port2 = Daemon.FreePort();
        string conf = pkis + listeners.Replace("{PORT2}", port2.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            + $"action \"local\" maildir \"{mail}/%{{user.username}}\"\nmatch from any for local action \"local\"\n";
        return (Daemon.Start(conf).WaitReady(), mail, port2);
    }

    private static string Python(string script, params string[] args)
    {
        var r = Binary.Run("python3", ["-c", script, .. args], timeout: TimeSpan.FromSeconds(60));
        Assert.True(r.Code == 0, $"python3 failed ({r.Code}): {r.Err}\n{r.Out}");
        return r.Out;
    }

    private static string DeliveredText(string mail)
    {
        string dir = Path.Combine(mail, Recipient.Name, "new");
        Wait.Until(() => Directory.Exists(dir) && Directory.GetFiles(dir).Length == 1, "the message is delivered");
        return File.ReadAllText(Directory.GetFiles(dir)[0]);
    }

    private const string SendOverStartTls = """
        import smtplib, ssl, sys
        port, ca, rcpt = int(sys.argv[1]), sys.argv[2], sys.argv[3]
        ctx = ssl.create_default_context(cafile=ca)
        s = smtplib.SMTP("127.0.0.1", port, local_hostname="client.example.net", timeout=30)
        s._host = "mx.example.org"  # the name the server certificate must be valid for
        s.ehlo()
        print("before:", s.has_extn("starttls"))
        print("starttls:", s.starttls(context=ctx)[0])
        s.ehlo()
        print("after:", s.has_extn("starttls"))
        print("again:", s.docmd("STARTTLS")[0])
        print("version:", s.sock.version())
        s.sendmail("sender@example.net", [rcpt], "Subject: over tls\r\n\r\nsecret\r\n")
        s.quit()
        """;

    [EndToEndFact]
    public void StartTlsIsOfferedThenMailArrivesStampedWithEsmtpsAndTheCipherAsOpenSmtpdWritesIt()
    {
        var pki = TestPki.Create();
        var (d, mail, _) = Start(pki.PkiLine("mx.example.org"), "listen on 127.0.0.1 port {PORT} tls pki mx.example.org\n");
        using (d)
        {
            string output = Python(SendOverStartTls, d.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), pki.CaCert, $"{Recipient.Name}@localhost");
            Assert.Contains("before: True", output, StringComparison.Ordinal);
            Assert.Contains("starttls: 220", output, StringComparison.Ordinal);
            Assert.Contains("after: False", output, StringComparison.Ordinal);
            Assert.Contains("again: 503", output, StringComparison.Ordinal);
            Assert.Contains("version: TLSv1.3", output, StringComparison.Ordinal);

            string text = DeliveredText(mail);
            Assert.Matches(@"\n\tby \S+ \(OpenSMTPD\) with ESMTPS id [0-9a-f]{8} \(TLSv1\.3:TLS_[A-Z0-9_]+:(128|256):NO\)\n\tfor <", text);
            Assert.Matches(@"[0-9a-f]{16} smtp tls ciphers=TLSv1\.3:TLS_[A-Z0-9_]+:(128|256)\n", d.Log);
            Assert.Contains("smtp failed-command command=\"STARTTLS\" result=\"503 5.5.1 Invalid command: Channel already secured\"", d.Log, StringComparison.Ordinal);
        }

        Directory.Delete(mail, true);
    }

    [EndToEndFact]
    public void SmtpsGreetsOnlyAfterTheHandshakeAndTakesMail()
    {
        var pki = TestPki.Create();
        var (d, mail, port2) = Start(pki.PkiLine("mx.example.org", ec: true), "listen on 127.0.0.1 port {PORT}\nlisten on 127.0.0.1 port {PORT2} smtps pki mx.example.org\n");
        using (d)
        {
            const string script = """
                import smtplib, ssl, sys
                ctx = ssl.create_default_context(cafile=sys.argv[2])
                ctx.maximum_version = ssl.TLSVersion.TLSv1_2
                s = smtplib.SMTP_SSL(local_hostname="client.example.net", context=ctx, timeout=30)
                s._host = "mx.example.org"  # the name the server certificate must be valid for
                print("banner:", s.connect("127.0.0.1", int(sys.argv[1]))[0])
                s.ehlo()
                print("starttls offered:", s.has_extn("starttls"))
                print("cipher:", s.sock.cipher()[0], s.sock.version())
                s.sendmail("sender@example.net", [sys.argv[3]], "Subject: smtps\r\n\r\nhi\r\n")
                s.quit()
                """;
            string output = Python(script, port2.ToString(System.Globalization.CultureInfo.InvariantCulture), pki.CaCert, $"{Recipient.Name}@localhost");
            Assert.Contains("banner: 220", output, StringComparison.Ordinal);
            Assert.Contains("starttls offered: False", output, StringComparison.Ordinal);
            Assert.Contains("cipher: ECDHE-ECDSA-", output, StringComparison.Ordinal);
            string text = DeliveredText(mail);
            Assert.Matches(@"with ESMTPS id [0-9a-f]{8} \(TLSv1\.2:ECDHE-ECDSA-[A-Z0-9-]+:(128|256):NO\)", text);
        }

        Directory.Delete(mail, true);
    }

    [EndToEndFact]
    public void ThePlainListenerOffersNoStartTlsAndRefusesIt()
    {
        var pki = TestPki.Create();
        var (d, mail, _) = Start(pki.PkiLine("mx.example.org"), "listen on 127.0.0.1 port {PORT}\nlisten on 127.0.0.1 port {PORT2} tls pki mx.example.org\n");
        using (d)
        {
            using var c = new SmtpClientHelper(d.Port);
            Assert.DoesNotContain("STARTTLS", c.Command("EHLO client.example.net"), StringComparison.Ordinal);
            Assert.Equal("503 5.5.1 Invalid command: Command not supported", c.Command("STARTTLS"));
        }

        Directory.Delete(mail, true);
    }

    [EndToEndFact]
    public void TlsRequireRefusesMailBeforeStartTlsAndStartTlsTakesNoParameters()
    {
        var pki = TestPki.Create();
        var (d, mail, _) = Start(pki.PkiLine("mx.example.org"), "listen on 127.0.0.1 port {PORT} tls-require pki mx.example.org\n");
        using (d)
        {
            using var c = new SmtpClientHelper(d.Port);
            Assert.Equal("503 5.5.1 Invalid command: Command not allowed at this point.", c.Command("STARTTLS"));
            Assert.Contains("250-STARTTLS", c.Command("EHLO client.example.net"), StringComparison.Ordinal);
            Assert.Equal("530 5.5.1 Invalid command: Must issue a STARTTLS command first", c.Command("MAIL FROM:<alice@example.org>"));
            Assert.Equal("501 5.5.4 Invalid command arguments: No parameters allowed", c.Command("STARTTLS now"));
            Assert.Equal("220 2.0.0 Ready to start TLS", c.Command("STARTTLS"));
        }

        Directory.Delete(mail, true);
    }

    [EndToEndFact]
    public void CommandsPipelinedBehindStartTlsAreDiscardedNotExecutedInsideTls()
    {
        var pki = TestPki.Create();
        var (d, mail, _) = Start(pki.PkiLine("mx.example.org"), "listen on 127.0.0.1 port {PORT} tls pki mx.example.org\n");
        using (d)
        {
            // The CVE-2011-0411 class: a man in the middle appends commands to the client's
            // STARTTLS; they must not run as if the client had sent them over TLS.
            const string script = """
                import socket, ssl, sys
                s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
                f = s.makefile("rb")
                def reply():
                    lines = []
                    while True:
                        l = f.readline().decode()
                        lines.append(l.rstrip())
                        if l[3:4] != "-": return lines
                reply()
                s.sendall(b"EHLO client.example.net\r\n"); reply()
                s.sendall(b"STARTTLS\r\nMAIL FROM:<injected@example.org>\r\nRCPT TO:<root@localhost>\r\n")
                print("starttls:", reply()[0])
                t = ssl.create_default_context(cafile=sys.argv[2]).wrap_socket(s, server_hostname="mx.example.org")
                f = t.makefile("rb")
                t.sendall(b"EHLO client.example.net\r\n")
                print("first:", reply()[0])
                t.sendall(b"MAIL FROM:<real@example.org>\r\n")
                print("mail:", reply()[0])
                t.sendall(b"QUIT\r\n")
                """;
            string output = Python(script, d.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), pki.CaCert);
            Assert.Contains("starttls: 220 2.0.0 Ready to start TLS", output, StringComparison.Ordinal);
            Assert.Contains("first: 250-", output, StringComparison.Ordinal);
            Assert.Contains("mail: 250 2.0.0 Ok", output, StringComparison.Ordinal);
            Assert.DoesNotContain("injected", d.Log, StringComparison.Ordinal);
        }

        Directory.Delete(mail, true);
    }

    [EndToEndFact]
    public void SniChoosesTheCertificateForTheServerNameAndFallsBackToTheFirst()
    {
        var pki = TestPki.Create();
        string pkis = pki.PkiLine("mx.example.org") + pki.PkiLine("mail.example.com", ec: true);
        var (d, mail, _) = Start(pkis, "listen on 127.0.0.1 port {PORT} tls pki mx.example.org pki mail.example.com\n");
        using (d)
        {
            string Subject(string? name)
            {
                string[] sni = name is null ? ["-noservername"] : ["-servername", name];
                var r = Binary.Run("openssl", ["s_client", "-starttls", "smtp", "-connect", $"127.0.0.1:{d.Port}", .. sni, "-CAfile", pki.CaCert, "-verify_return_error"], stdin: "", timeout: TimeSpan.FromSeconds(30));
                Assert.Contains("Verify return code: 0 (ok)", r.Out, StringComparison.Ordinal);
                return Regex.Match(r.Out, @"^subject=.*$", RegexOptions.Multiline).Value;
            }

            Assert.Equal("subject=CN = mail.example.com", Subject("mail.example.com"));
            Assert.Equal("subject=CN = mx.example.org", Subject("mx.example.org"));
            Assert.Equal("subject=CN = mx.example.org", Subject("other.example.net"));
            Assert.Equal("subject=CN = mx.example.org", Subject(null));
        }

        Directory.Delete(mail, true);
    }

    [EndToEndFact]
    public void SwaksDeliversOverStartTls()
    {
        var pki = TestPki.Create();
        var (d, mail, _) = Start(pki.PkiLine("mx.example.org"), "listen on 127.0.0.1 port {PORT} tls-require pki mx.example.org\n");
        using (d)
        {
            var r = Binary.Run("swaks", ["--server", "127.0.0.1", "--port", d.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--tls", "--from", "sender@example.net", "--to", $"{Recipient.Name}@localhost", "--helo", "client.example.net"], timeout: TimeSpan.FromSeconds(60));
            Assert.True(r.Code == 0, r.Out + r.Err);
            Assert.Contains("<-  220 2.0.0 Ready to start TLS", r.Out, StringComparison.Ordinal);
            Assert.Contains("TLS started with cipher TLSv1.3:", r.Out, StringComparison.Ordinal);
            Assert.Matches(@"with ESMTPS id [0-9a-f]{8} \(TLSv1\.3:", DeliveredText(mail));
        }

        Directory.Delete(mail, true);
    }

    [EndToEndFact]
    public void AFailedHandshakeIsLoggedAsOpenSmtpdLogsItAndEndsTheSession()
    {
        var pki = TestPki.Create();
        var (d, mail, _) = Start(pki.PkiLine("mx.example.org"), "listen on 127.0.0.1 port {PORT} tls pki mx.example.org\n");
        using (d)
        {
            using var c = new SmtpClientHelper(d.Port);
            c.Command("EHLO client.example.net");
            Assert.Equal("220 2.0.0 Ready to start TLS", c.Command("STARTTLS"));
            c.Send("EHLO this is not a ClientHello\r\n");
            Wait.Until(() => d.Log.Contains("smtp disconnected reason=\"io-error: handshake failed: error:", StringComparison.Ordinal), "the failed handshake is logged");
        }

        Directory.Delete(mail, true);
    }

    [EndToEndFact]
    public void TlsVerifyAcceptsAClientCertificateFromTheCaLogsItAndRefusesAClientWithout()
    {
        var pki = TestPki.Create();
        var (clientCert, clientKey) = pki.Issue("client", ec: false, client: true, "client.example.net");
        string pkis = pki.PkiLine("mx.example.org") + $"ca clients cert \"{pki.CaCert}\"\n";
        var (d, mail, _) = Start(pkis, "listen on 127.0.0.1 port {PORT} tls-require verify pki mx.example.org ca clients\n");
        using (d)
        {
            const string script = """
                import smtplib, ssl, sys
                ctx = ssl.create_default_context(cafile=sys.argv[2])
                if len(sys.argv) > 4: ctx.load_cert_chain(sys.argv[4], sys.argv[5])
                s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="client.example.net", timeout=30)
                s._host = "mx.example.org"
                try:
                    s.starttls(context=ctx)
                    s.ehlo()
                    s.sendmail("sender@example.net", [sys.argv[3]], "Subject: verified\r\n\r\nhi\r\n")
                    s.quit()
                    print("sent")
                except (ssl.SSLError, smtplib.SMTPException, OSError) as e:
                    print("refused:", type(e).__name__)
                """;
            string port = d.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Contains("refused:", Python(script, port, pki.CaCert, $"{Recipient.Name}@localhost"), StringComparison.Ordinal);
            Assert.Contains("sent", Python(script, port, pki.CaCert, $"{Recipient.Name}@localhost", clientCert, clientKey), StringComparison.Ordinal);
            Assert.Matches(@"with ESMTPS id [0-9a-f]{8} \(TLSv1\.3:TLS_[A-Z0-9_]+:(128|256):YES\)", DeliveredText(mail));
            Assert.Matches(@"[0-9a-f]{16} smtp cert-check result=""verified"" fingerprint=""SHA256:[0-9a-f]{64}""", d.Log);
            Assert.Contains("smtp cert-subject subject=\"/CN=client.example.net\"", d.Log, StringComparison.Ordinal);
        }

        Directory.Delete(mail, true);
    }

    [EndToEndFact]
    public void OnAnAuthListenerAVerifiedClientCertificateAuthenticatesTheClientAsItsCommonName()
    {
        var pki = TestPki.Create();
        var (clientCert, clientKey) = pki.Issue("client", ec: true, client: true, "client.example.net");
        string pkis = pki.PkiLine("mx.example.org") + $"ca clients cert \"{pki.CaCert}\"\n";
        var (d, mail, port2) = Start(pkis, "listen on 127.0.0.1 port {PORT}\nlisten on 127.0.0.1 port {PORT2} smtps verify pki mx.example.org ca clients auth\n");
        using (d)
        {
            const string script = """
                import smtplib, ssl, sys
                ctx = ssl.create_default_context(cafile=sys.argv[2])
                ctx.load_cert_chain(sys.argv[4], sys.argv[5])
                s = smtplib.SMTP_SSL(local_hostname="client.example.net", context=ctx, timeout=30)
                s._host = "mx.example.org"
                s.connect("127.0.0.1", int(sys.argv[1]))
                s.sendmail("sender@example.net", [sys.argv[3]], "Subject: by certificate\r\n\r\nhi\r\n")
                s.quit()
                print("sent")
                """;
            Assert.Contains("sent", Python(script, port2.ToString(System.Globalization.CultureInfo.InvariantCulture), pki.CaCert, $"{Recipient.Name}@localhost", clientCert, clientKey), StringComparison.Ordinal);
            Assert.Matches(@"with ESMTPSA id [0-9a-f]{8} \(TLSv1\.3:TLS_[A-Z0-9_]+:(128|256):YES\)", DeliveredText(mail));
            Assert.Matches(@"[0-9a-f]{16} smtp authentication user=client\.example\.net result=ok", d.Log);
        }

        Directory.Delete(mail, true);
    }

    [EndToEndFact]
    public void AListenersCurvesAreTheOnlyKeyExchangeGroupsItAccepts()
    {
        var pki = TestPki.Create();
        var (d, mail, _) = Start(pki.PkiLine("mx.example.org"), "listen on 127.0.0.1 port {PORT} tls pki mx.example.org curves \"P-384\"\n");
        using (d)
        {
            (int Code, string Out) Handshake(string groups)
            {
                var r = Binary.Run("openssl", ["s_client", "-starttls", "smtp", "-connect", $"127.0.0.1:{d.Port}", "-groups", groups, "-CAfile", pki.CaCert], stdin: "", timeout: TimeSpan.FromSeconds(30));
                return (r.Code, r.Out + r.Err);
            }

            var ok = Handshake("X25519:P-384");
            Assert.Contains("Verify return code: 0 (ok)", ok.Out, StringComparison.Ordinal);
            Assert.Matches("(Server Temp Key|Negotiated TLS1.3 group): .*(P-384|secp384r1)", ok.Out);
            Assert.DoesNotContain("Cipher is (NONE)", ok.Out, StringComparison.Ordinal);
            var refused = Handshake("X25519:P-256");
            Assert.Contains("Cipher is (NONE)", refused.Out, StringComparison.Ordinal);
            Wait.Until(() => d.Log.Contains("reason=\"io-error: handshake failed: error:", StringComparison.Ordinal), "the refused handshake is logged");
        }

        Directory.Delete(mail, true);
    }

    [EndToEndFact]
    public void MatchTlsHoldsForEncryptedSessionsOnly()
    {
        var pki = TestPki.Create();
        string mail = Path.Combine(Path.GetTempPath(), "smtpd-mail-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(mail);
        string conf = pki.PkiLine("mx.example.org") + "listen on 127.0.0.1 port {PORT} tls pki mx.example.org\n"
            + $"action \"local\" maildir \"{mail}/%{{user.username}}\"\nmatch tls from any for local action \"local\"\n";
        using (var d = Daemon.Start(conf).WaitReady())
        {
            const string script = """
                import smtplib, ssl, sys
                s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="client.example.net", timeout=30)
                s._host = "mx.example.org"
                s.ehlo(); s.mail("sender@example.net")
                print("plain:", s.rcpt(sys.argv[3])[0])
                s.rset()
                s.starttls(context=ssl.create_default_context(cafile=sys.argv[2])); s.ehlo(); s.mail("sender@example.net")
                print("tls:", s.rcpt(sys.argv[3])[0])
                s.quit()
                """;
            string output = Python(script, d.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), pki.CaCert, $"{Recipient.Name}@localhost");
            Assert.Contains("plain: 550", output, StringComparison.Ordinal);
            Assert.Contains("tls: 250", output, StringComparison.Ordinal);
        }

        Directory.Delete(mail, true);
    }
}
