// AUTH on smtp-in against the real binary with real clients (Python smtplib over STARTTLS and
// smtps, swaks): offered only once the channel is secure, OpenSMTPD's replies and log lines,
// a credentials table filled by `smtpctl encrypt`, the failure limit, senders with masquerade,
// match auth routing, and system users through PAM (service smtpd) or the shadow file.
using System.Globalization;
using Smtpd.Interop;
using Smtpd.Tests.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class AuthTests
{
    private const string TestUser = "smtpdtest";

    public AuthTests()
    {
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
            Binary.EnsureUser(TestUser);
        }
    }

    private static PasswdEntry Recipient => Binary.IsRoot ? Posix.GetPwNam(TestUser)! : Posix.GetPwUid(Posix.GetEUid())!;

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    /// <summary>A directory the recipient may write: maildirs go below it.</summary>
    private static string MailDir(params string[] subdirs)
    {
        string mail = Path.Combine(Path.GetTempPath(), "smtpd-mail-" + Guid.NewGuid().ToString("N"));
        foreach (string d in subdirs.Prepend(string.Empty))
        {
            Directory.CreateDirectory(Path.Combine(mail, d));
            Binary.Run("chown", [$"{Recipient.Uid}:{Recipient.Gid}", Path.Combine(mail, d)]);
        }

        return mail;
    }

    /// <summary>A directory for table files the lookup agent (_smtpd) can read.</summary>
    private static string TableDir()
    {
        string dir = Directory.CreateTempSubdirectory("smtpd-auth-").FullName;
        File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
        return dir;
    }

    /// <summary>smtpctl encrypt, as an admin fills a credentials table.</summary>
    private static string Encrypt(string password, string dir)
    {
        var r = Binary.Run(Binary.LinkAs(dir, "smtpctl"), ["encrypt"], stdin: password + "\n");
        Assert.True(r.Code == 0, r.Err);
        return r.Out.TrimEnd('\n');
    }

    private static string Python(string script, params string[] args)
    {
        var r = Binary.Run("python3", ["-c", script, .. args], timeout: TimeSpan.FromSeconds(90));
        Assert.True(r.Code == 0, $"python3 failed ({r.Code}): {r.Err}\n{r.Out}");
        return r.Out;
    }

    private static string[] Delivered(string maildir, int count = 1)
    {
        string dir = Path.Combine(maildir, "new");
        Wait.Until(() => Directory.Exists(dir) && Directory.GetFiles(dir).Length == count, $"{count} message(s) in {dir}");
        return [.. Directory.GetFiles(dir).Select(File.ReadAllText)];
    }

    // Each step prints "name: code text" from the server's reply.
    private const string Prelude = """
        import smtplib, ssl, sys, base64
        port, ca = int(sys.argv[1]), sys.argv[2]
        ctx = ssl.create_default_context(cafile=ca)
        def b64(s): return base64.b64encode(s.encode("latin-1")).decode()
        def show(name, reply): print(name + ":", reply[0], reply[1].decode())
        def auth(s, mech, user, password, initial=True):
            s.user, s.password = user, password
            try:
                show(mech.lower() + " " + password, s.auth(mech, getattr(s, "auth_" + mech.lower()), initial_response_ok=initial))
            except smtplib.SMTPAuthenticationError as e:
                show(mech.lower() + " " + password, (e.smtp_code, e.smtp_error))
        def starttls():
            s = smtplib.SMTP("127.0.0.1", port, local_hostname="client.example.net", timeout=30)
            s._host = "mx.example.org"
            s.ehlo()
            s.starttls(context=ctx)
            s.ehlo()
            return s
        """;

    [EndToEndFact]
    public void AuthOverStartTlsWithATableFilledBySmtpctlEncrypt()
    {
        var pki = TestPki.Create();
        string mail = MailDir();
        string dir = TableDir();
        File.WriteAllText(Path.Combine(dir, "creds"), $"alice {Encrypt("correct horse", dir)}\n");
        string conf = pki.PkiLine("mx.example.org")
            + $"table creds file:{dir}/creds\n"
            + "smtp limit max-auth-failures 2\n"
            + "listen on 127.0.0.1 port {PORT} tls pki mx.example.org auth <creds> received-auth\n"
            + $"action \"local\" maildir \"{mail}\"\nmatch from any for local action \"local\"\n";
        using (var d = Daemon.Start(conf).WaitReady())
        {
            const string script = Prelude + "\n" + """
                s = smtplib.SMTP("127.0.0.1", port, local_hostname="client.example.net", timeout=30)
                s._host = "mx.example.org"
                s.ehlo()
                print("offered in the clear:", s.has_extn("auth"))
                show("auth in the clear", s.docmd("AUTH", "PLAIN " + b64("\0alice\0correct horse")))
                s.starttls(context=ctx)
                s.ehlo()
                print("offered:", s.esmtp_features.get("auth").strip())
                show("mail first", s.docmd("MAIL", "FROM:<alice@example.org>"))
                auth(s, "LOGIN", "alice", "wrong")
                show("plain", s.docmd("AUTH", "PLAIN"))
                show("cancel", s.docmd("*"))
                show("cram", s.docmd("AUTH", "CRAM-MD5"))
                show("bad base64", s.docmd("AUTH", "PLAIN !!!!"))
                auth(s, "PLAIN", "alice", "correct horse", initial=False)
                show("again", s.docmd("AUTH", "PLAIN " + b64("\0alice\0correct horse")))
                s.ehlo()
                print("offered after:", s.has_extn("auth"))
                s.sendmail("alice@example.org", [sys.argv[3]], "Subject: authenticated\r\n\r\nhi\r\n")
                s.quit()
                s = starttls()
                auth(s, "PLAIN", "alice", "one")
                auth(s, "PLAIN", "alice", "two")
                print("closed:", s.sock.recv(1) == b"")
                """;
            string output = Python(script, Port(d.Port), pki.CaCert, $"{Recipient.Name}@localhost");
            string[] expected =
            [
                "offered in the clear: False",
                "auth in the clear: 503 5.5.1 Invalid command: Command not supported",
                "offered: PLAIN LOGIN",
                "mail first: 530 5.5.1 Invalid command: Must issue an AUTH command first",
                "login wrong: 535 Authentication failed",
                "plain: 334 ",
                "cancel: 501 5.5.2 Syntax error: Syntax error",
                "cram: 504 5.7.4 Security features not supported: AUTH method \"CRAM-MD5\" not supported",
                "bad base64: 501 5.5.2 Syntax error: Syntax error",
                "plain correct horse: 235 2.0.0 Authentication succeeded",
                "again: 503 5.5.1 Invalid command: Already authenticated",
                "offered after: False",
                "plain one: 535 Authentication failed",
                @"plain two: 421 4\.7\.0 \S+ Too many authentication failures, closing connection",
                "closed: True",
            ];
            AssertLines(expected, output);

            string text = Delivered(mail).Single();
            Assert.Matches(@"\n\tby \S+ \(OpenSMTPD\) with ESMTPSA id [0-9a-f]{8} \(TLSv1\.3:TLS_[A-Z0-9_]+:(128|256):NO\) auth=yes user=alice\n", text);
            Assert.Matches(@"[0-9a-f]{16} smtp authentication user=alice result=permfail\n", d.Log);
            Assert.Matches(@"[0-9a-f]{16} smtp authentication user=alice result=ok\n", d.Log);
            Assert.Matches(@"[0-9a-f]{16} smtp failed-command command=""AUTH LOGIN \(password\)"" result=""535 Authentication failed""\n", d.Log);
            Assert.DoesNotContain("correct horse", d.Log, StringComparison.Ordinal);
        }

        Directory.Delete(mail, true);
        Directory.Delete(dir, true);
    }

    /// <summary>Each line of <paramref name="output"/> is its expected text, or matches it when that holds a backslash (a regex).</summary>
    private static void AssertLines(string[] expected, string output)
    {
        string[] lines = output.TrimEnd('\n').Split('\n');
        Assert.True(expected.Length == lines.Length, output);
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i].Contains('\\', StringComparison.Ordinal))
            {
                Assert.Matches("^" + expected[i] + "$", lines[i]);
            }
            else
            {
                Assert.Equal(expected[i], lines[i]);
            }
        }
    }

    [EndToEndFact]
    public void SwaksAuthenticatesWithLoginAndPlainOverSmtps()
    {
        var pki = TestPki.Create();
        string mail = MailDir();
        string dir = TableDir();
        File.WriteAllText(Path.Combine(dir, "creds"), $"bob bob:{PosixCryptTests.BcryptHash}\n");
        int port2 = Daemon.FreePort();
        string conf = pki.PkiLine("mx.example.org")
            + $"listen on 127.0.0.1 port {{PORT}}\nlisten on 127.0.0.1 port {Port(port2)} smtps pki mx.example.org auth-optional <creds>\n"
            + $"table creds file:{dir}/creds\n"
            + $"action \"local\" maildir \"{mail}\"\nmatch from any for local action \"local\"\n";
        using (var d = Daemon.Start(conf).WaitReady())
        {
            foreach (string mechanism in new[] { "LOGIN", "PLAIN" })
            {
                var r = Binary.Run("swaks", ["--server", "127.0.0.1", "--port", Port(port2), "--tls-on-connect", "--auth", mechanism, "--auth-user", "bob", "--auth-password", "U*U",
                    "--from", "bob@example.org", "--to", $"{Recipient.Name}@localhost", "--helo", "client.example.net"], timeout: TimeSpan.FromSeconds(60));
                Assert.True(r.Code == 0, r.Out + r.Err);
                Assert.Contains("<~  235 2.0.0 Authentication succeeded", r.Out, StringComparison.Ordinal);
            }

            var wrong = Binary.Run("swaks", ["--server", "127.0.0.1", "--port", Port(port2), "--tls-on-connect", "--auth", "PLAIN", "--auth-user", "bob", "--auth-password", "u*u",
                "--from", "bob@example.org", "--to", $"{Recipient.Name}@localhost", "--helo", "client.example.net"], timeout: TimeSpan.FromSeconds(60));
            Assert.NotEqual(0, wrong.Code);
            Assert.Contains("<~* 535 Authentication failed", wrong.Out, StringComparison.Ordinal);

            // auth-optional: mail without AUTH is taken too.
            var anonymous = Binary.Run("swaks", ["--server", "127.0.0.1", "--port", Port(port2), "--tls-on-connect",
                "--from", "anyone@example.net", "--to", $"{Recipient.Name}@localhost", "--helo", "client.example.net"], timeout: TimeSpan.FromSeconds(60));
            Assert.True(anonymous.Code == 0, anonymous.Out + anonymous.Err);

            // The plain listener offers no AUTH.
            var plain = Binary.Run("swaks", ["--server", "127.0.0.1", "--port", Port(d.Port), "--auth", "PLAIN", "--auth-user", "bob", "--auth-password", "U*U",
                "--from", "bob@example.org", "--to", $"{Recipient.Name}@localhost", "--helo", "client.example.net"], timeout: TimeSpan.FromSeconds(60));
            Assert.NotEqual(0, plain.Code);
            Assert.Contains("Host did not advertise authentication", plain.Out + plain.Err, StringComparison.Ordinal);
            Delivered(mail, 3);
        }

        Directory.Delete(mail, true);
        Directory.Delete(dir, true);
    }

    [EndToEndFact]
    public void SendersRestrictTheAuthenticatedSenderMasqueradeRewritesFromAndMatchAuthRoutes()
    {
        var pki = TestPki.Create();
        string mail = MailDir("alice", "authed", "anon");
        string dir = TableDir();
        File.WriteAllText(Path.Combine(dir, "creds"), $"alice {PosixCryptTests.Sha512Hash}\nbob {PosixCryptTests.BcryptHash}\n");
        File.WriteAllText(Path.Combine(dir, "allowed"), "alice alice@example.org, @example.net\nbob bob@example.org\n");
        string conf = pki.PkiLine("mx.example.org")
            + $"table creds file:{dir}/creds\ntable allowed file:{dir}/allowed\n"
            + "listen on 127.0.0.1 port {PORT} tls pki mx.example.org auth-optional <creds> senders <allowed> masquerade\n"
            + $"action \"alice\" maildir \"{mail}/alice\"\naction \"authed\" maildir \"{mail}/authed\"\naction \"anon\" maildir \"{mail}/anon\"\n"
            + "match from any auth { alice } for local action \"alice\"\n"
            + "match from any auth for local action \"authed\"\n"
            + "match from any !auth for local action \"anon\"\n";
        using (var d = Daemon.Start(conf).WaitReady())
        {
            const string script = Prelude + "\n" + """
                rcpt = sys.argv[3]
                s = starttls()
                auth(s, "PLAIN", "alice", "correct horse")
                show("bob's address", s.docmd("MAIL", "FROM:<bob@example.org>"))
                show("tagged own address", s.docmd("MAIL", "FROM:<alice+news@example.org>"))
                show("rcpt", s.docmd("RCPT", "TO:<" + rcpt + ">"))
                show("data", s.docmd("DATA"))
                s.send(b"From: Alice <other@example.com>\r\nSubject: masqueraded\r\n\r\nhi\r\n.\r\n")
                show("sent", s.getreply())
                show("domain entry", s.docmd("MAIL", "FROM:<sales@example.net>"))
                s.rset()
                s.quit()
                s = starttls()
                auth(s, "LOGIN", "bob", "U*U")
                s.sendmail("bob@example.org", [rcpt], "From: bob@example.org\r\nSubject: bob\r\n\r\nhi\r\n")
                s.quit()
                s = starttls()
                show("anonymous", s.docmd("MAIL", "FROM:<bob@example.org>"))
                s.rset()
                s.sendmail("bob@example.org", [rcpt], "Subject: anonymous\r\n\r\nhi\r\n")
                s.quit()
                """;
            string output = Python(script, Port(d.Port), pki.CaCert, $"{Recipient.Name}@localhost");
            AssertLines(
                [
                    "plain correct horse: 235 2.0.0 Authentication succeeded",
                    "bob's address: 530 Sender rejected",
                    "tagged own address: 250 2.0.0 Ok",
                    "rcpt: 250 2.1.5 Destination address valid: Recipient ok",
                    "data: 354 Enter mail, end with \".\" on a line by itself",
                    @"sent: 250 2\.0\.0 [0-9a-f]{8} Message accepted for delivery",
                    "domain entry: 250 2.0.0 Ok",
                    "login U*U: 235 2.0.0 Authentication succeeded",
                    "anonymous: 250 2.0.0 Ok",
                ],
                output);

            string alice = Delivered(Path.Combine(mail, "alice")).Single();
            Assert.Contains("\nFrom: Alice <alice+news@example.org>\n", alice, StringComparison.Ordinal);
            Assert.DoesNotContain("other@example.com", alice, StringComparison.Ordinal);
            Assert.Contains("Subject: bob", Delivered(Path.Combine(mail, "authed")).Single(), StringComparison.Ordinal);
            Assert.Contains("Subject: anonymous", Delivered(Path.Combine(mail, "anon")).Single(), StringComparison.Ordinal);
        }

        Directory.Delete(mail, true);
        Directory.Delete(dir, true);
    }

    [EndToEndFact]
    public void SmtpctlEncryptPrintsHashesCryptAccepts()
    {
        string dir = Directory.CreateTempSubdirectory("smtpd-encrypt-").FullName;
        try
        {
            string smtpctl = Binary.LinkAs(dir, "smtpctl");
            var one = Binary.Run(smtpctl, ["encrypt", "correct horse"]);
            var lines = Binary.Run(smtpctl, ["encrypt"], stdin: "correct horse\nsecond one\n");
            Assert.Equal((0, string.Empty), (one.Code, one.Err));
            Assert.Equal((0, string.Empty), (lines.Code, lines.Err));
            string[] hashes = [one.Out.TrimEnd('\n'), .. lines.Out.TrimEnd('\n').Split('\n')];
            Assert.Equal(3, hashes.Length);
            Assert.All(hashes, h => Assert.StartsWith("$y$jCT$", h, StringComparison.Ordinal));
            Assert.Equal(3, hashes.Distinct().Count());

            // perl's crypt is libcrypt's: the same hash back means the password matches.
            const string check = "print crypt($ARGV[0], $ARGV[1]) eq $ARGV[1] ? qq(match\\n) : qq(no match\\n)";
            Assert.Equal("match\n", Binary.Run("perl", ["-e", check, "correct horse", hashes[0]]).Out);
            Assert.Equal("match\n", Binary.Run("perl", ["-e", check, "correct horse", hashes[1]]).Out);
            Assert.Equal("match\n", Binary.Run("perl", ["-e", check, "second one", hashes[2]]).Out);
            Assert.Equal("no match\n", Binary.Run("perl", ["-e", check, "correct horsE", hashes[0]]).Out);

            var usage = Binary.Run(smtpctl, ["encrypt", "a", "b"]);
            Assert.Equal(255, usage.Code);
            Assert.StartsWith("invalid command\n", usage.Err, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [PamFact]
    public void SystemUsersAuthenticateThroughPamAndWithoutItsFileThroughTheShadowFile()
    {
        const string user = "smtpdauthsys";
        const string pamFile = "/etc/pam.d/smtpd";
        bool installedPam = !File.Exists(pamFile);
        var pki = TestPki.Create();
        string mail = MailDir();
        if (Posix.GetPwNam(user) is null)
        {
            Binary.Run("useradd", ["--no-create-home", "--shell", "/usr/sbin/nologin", user]);
        }

        Assert.Equal(0, Binary.Run("usermod", ["-p", PosixCryptTests.Sha512Hash, "-e", string.Empty, user]).Code);
        string conf = pki.PkiLine("mx.example.org")
            + "listen on 127.0.0.1 port {PORT} smtps pki mx.example.org auth\n"
            + $"action \"local\" maildir \"{mail}\"\nmatch from any for local action \"local\"\n";
        const string script = Prelude + "\n" + """
            s = smtplib.SMTP_SSL(local_hostname="client.example.net", context=ctx, timeout=60)
            s._host = "mx.example.org"
            s.connect("127.0.0.1", port)
            s.ehlo()
            auth(s, "PLAIN", sys.argv[3], sys.argv[4])
            s.quit()
            """;
        string Try(Daemon d, string password) => Python(script, Port(d.Port), pki.CaCert, user, password).TrimEnd('\n');
        try
        {
            if (installedPam)
            {
                File.Copy(Path.Combine(RepoRoot(), "packaging", "pam.d", "smtpd"), pamFile);
            }

            using (var d = Daemon.Start(conf).WaitReady())
            {
                Assert.Equal("plain correct horse: 235 2.0.0 Authentication succeeded", Try(d, "correct horse"));
                Assert.Equal("plain correct horsE: 535 Authentication failed", Try(d, "correct horsE"));

                // pam_acct_mgmt refuses an expired account whatever the password.
                Assert.Equal(0, Binary.Run("usermod", ["-e", "1970-01-02", user]).Code);
                Assert.Equal("plain correct horse: 535 Authentication failed", Try(d, "correct horse"));
                Assert.Matches($@"[0-9a-f]{{16}} smtp authentication user={user} result=ok\n", d.Log);
            }

            // Without the service file the shadow hash alone decides, as OpenSMTPD built
            // without PAM does: it knows nothing of expiry.
            File.Delete(pamFile);
            using (var d = Daemon.Start(conf).WaitReady())
            {
                Assert.Equal("plain correct horse: 235 2.0.0 Authentication succeeded", Try(d, "correct horse"));
                Assert.Equal("plain wrong: 535 Authentication failed", Try(d, "wrong"));
            }
        }
        finally
        {
            if (installedPam)
            {
                File.Delete(pamFile);
            }
            else if (!File.Exists(pamFile))
            {
                File.Copy(Path.Combine(RepoRoot(), "packaging", "pam.d", "smtpd"), pamFile);
            }

            Binary.Run("userdel", [user]);
            Directory.Delete(mail, true);
        }
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
}
