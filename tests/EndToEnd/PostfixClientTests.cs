// Interoperability with Postfix as a client: a private Postfix instance (PostfixInstance) relays
// to our listener with smtp_tls_security_level = encrypt, so it must get STARTTLS from us and
// never fall back to plaintext; the message arrives stamped "with ESMTPS" and Postfix logs the
// TLS connection and the delivery.
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

internal sealed class PostfixFactAttribute : FactAttribute
{
    public PostfixFactAttribute()
    {
        if (Binary.Path is null)
        {
            Skip = "SMTPD_BIN is not set";
        }
        else if (PostfixInstance.Missing is { } why)
        {
            Skip = why;
        }
    }
}

[Collection("daemon")]
public class PostfixClientTests
{
    private const string TestUser = "smtpdtest";

    [PostfixFact]
    public void PostfixRelaysThroughUsWithRequiredTlsAndTheReceivedHeaderSaysEsmtps()
    {
        Binary.EnsureSystemUsers();
        Binary.EnsureUser(TestUser);
        var recipient = Posix.GetPwNam(TestUser)!;
        string mail = Path.Combine(Path.GetTempPath(), "smtpd-mail-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(mail);
        Binary.Run("chown", [$"{recipient.Uid}:{recipient.Gid}", mail]);

        var pki = TestPki.Create();
        string conf = pki.PkiLine("mx.example.org") + "listen on 127.0.0.1 port {PORT} tls pki mx.example.org\n"
            + $"action \"local\" maildir \"{mail}/%{{user.username}}\"\nmatch from any for local action \"local\"\n";
        using var d = Daemon.Start(conf).WaitReady();
        using var postfix = PostfixInstance.Start($"""
            relayhost = [127.0.0.1]:{d.Port}
            smtp_tls_security_level = encrypt
            smtp_tls_CAfile = {pki.CaCert}
            smtp_tls_loglevel = 1

            """);

        var r = Binary.Run("python3", ["-c", """
            import smtplib, sys
            s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="sender.example.net", timeout=30)
            s.sendmail("sender@example.net", [sys.argv[2]], "Subject: via postfix\r\n\r\nrelayed\r\n")
            s.quit()
            print("handed to postfix")
            """, postfix.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{TestUser}@localhost"], timeout: TimeSpan.FromSeconds(60));
        Assert.True(r.Code == 0, r.Err + r.Out + postfix.Log);

        string dir = Path.Combine(mail, TestUser, "new");
        Wait.Until(() => Directory.Exists(dir) && Directory.GetFiles(dir).Length == 1, () => "Postfix relays the message to us:\n" + postfix.Log + "\n" + d.Log, TimeSpan.FromSeconds(60));
        string text = File.ReadAllText(Directory.GetFiles(dir)[0]);
        Assert.Matches(@"Received: from client\.postfix\.test \([^)]*\[127\.0\.0\.1\]\)\n\tby \S+ \(OpenSMTPD\) with ESMTPS id [0-9a-f]{8} \(TLSv1\.3:TLS_[A-Z0-9_]+:(128|256):NO\)", text);
        Assert.Contains("relayed", text, StringComparison.Ordinal);
        Wait.Until(() => postfix.Log.Contains("status=sent", StringComparison.Ordinal), () => postfix.Log);
        Assert.Matches(@"TLS connection established to 127\.0\.0\.1\[127\.0\.0\.1\]:\d+: TLSv1\.3", postfix.Log);
        Assert.Contains($"relay=127.0.0.1[127.0.0.1]:{d.Port}", postfix.Log, StringComparison.Ordinal);
        Directory.Delete(mail, true);
    }
}
