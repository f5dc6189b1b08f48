// smtp(1) over TLS, against a small scripted SMTP server (python3's ssl) with a self-signed
// certificate: smtps:// with and without -C, smtp+tls:// with STARTTLS, -T cafile= and AUTH PLAIN
// from -a, which is only ever sent once TLS is up; why verification failed, IP-address checks,
// and a bad CA file refused before any connection.
using System.Diagnostics;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

public sealed class SmtpClientProgramTlsTests : IDisposable
{
    // argv: cert key mode(smtps|starttls) transcript; prints its port, serves one session.
    private const string Server = """
import socket, ssl, sys
cert, key, mode, log = sys.argv[1:5]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv = socket.socket()
srv.bind(('127.0.0.1', 0))
srv.listen(1)
print(srv.getsockname()[1], flush=True)
out = open(log, 'w')
conn, _ = srv.accept()
try:
    tls = mode == 'smtps'
    if tls:
        conn = ctx.wrap_socket(conn, server_side=True)
    f = conn.makefile('rb')
    def say(s):
        conn.sendall(s.encode() + b'\r\n')
    say('220 tls.test ESMTP scripted')
    data = False
    while True:
        line = f.readline()
        if not line:
            break
        text = line.decode().rstrip('\r\n')
        if data:
            if text == '.':
                data = False
                say('250 2.0.0 0badcafe Message accepted for delivery')
            continue
        out.write(('TLS ' if tls else 'PLAIN ') + text + '\n'); out.flush()
        verb = text.split(' ')[0].upper()
        if verb == 'EHLO':
            say('250-tls.test') if tls else (say('250-tls.test'), say('250-STARTTLS'))
            say('250 AUTH PLAIN LOGIN')
        elif verb == 'STARTTLS':
            say('220 2.0.0 Ready to start TLS')
            conn = ctx.wrap_socket(conn, server_side=True)
            f = conn.makefile('rb')
            tls = True
        elif verb == 'AUTH':
            say('235 2.0.0 Authentication succeeded')
        elif verb == 'DATA':
            say('354 Enter mail, end with "." on a line by itself')
            data = True
        elif verb == 'QUIT':
            say('221 2.0.0 Bye')
            break
        else:
            say('250 2.0.0 Ok')
except (ssl.SSLError, OSError) as e:
    out.write('ERROR ' + str(e) + '\n')
""";

    private readonly string _dir = Directory.CreateTempSubdirectory("smtpd-smtpc-tls-").FullName;

    public SmtpClientProgramTlsTests()
    {
        var r = Binary.Run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", Key, "-out", Cert]);
        Assert.True(r.Code == 0, r.Err);
    }

    private string Cert => Path.Combine(_dir, "cert.pem");

    private string Key => Path.Combine(_dir, "key.pem");

    private string Transcript => Path.Combine(_dir, "transcript");

    public void Dispose() => Directory.Delete(_dir, true);

    private (int Code, string Err, string Transcript) Session(string mode, Func<int, string[]> args)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3", ["-c", Server, Cert, Key, mode, Transcript]) { RedirectStandardOutput = true };
        using var server = Process.Start(psi)!;
        int port = int.Parse(server.StandardOutput.ReadLine()!, System.Globalization.CultureInfo.InvariantCulture);
        var r = Binary.Run(Binary.LinkAs(_dir, "smtp"), args(port), stdin: "Subject: tls\n\nover TLS\n", timeout: TimeSpan.FromSeconds(60));
        Assert.True(server.WaitForExit(30_000));
        return (r.Code, r.Err, File.ReadAllText(Transcript));
    }

    [EndToEndFact]
    public void SmtpsWithDashCSendsOverTls()
    {
        var (code, err, transcript) = Session("smtps", p => ["-C", "-F", "a@example.org", "-s", $"smtps://127.0.0.1:{p}", "b@example.org"]);
        Assert.Equal((0, "b@example.org: EOM: 250 2.0.0 0badcafe Message accepted for delivery\n"), (code, err));
        Assert.StartsWith("TLS EHLO ", transcript, StringComparison.Ordinal);
        Assert.Contains("TLS MAIL FROM:<a@example.org>\nTLS RCPT TO:<b@example.org>\nTLS DATA\nTLS QUIT\n", transcript, StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void ACertificateNobodyVouchesForIsRefused()
    {
        var (code, err, _) = Session("smtps", p => ["-s", $"smtps://127.0.0.1:{p}", "b@example.org"]);
        Assert.Equal(1, code);
        Assert.StartsWith("connection error: ", err, StringComparison.Ordinal);
        Assert.EndsWith("\nsmtp: no more host\n", err, StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void AVerificationFailureSaysWhy()
    {
        var (code, err, _) = Session("smtps", p => ["-T", $"cafile={Cert}", "-S", "elsewhere.example", "-s", $"smtps://127.0.0.1:{p}", "b@example.org"]);
        Assert.Equal(1, code);
        Assert.Matches("^connection error: handshake failed: .*certificate verify failed \\(hostname mismatch\\)\n", err);
    }

    [EndToEndFact]
    public void AnIpAddressIsCheckedAgainstTheCertificatesAddressesAndTheStartOfTlsIsShownWithDashV()
    {
        var (code, err, transcript) = Session("smtps", p => ["-v", "-T", $"cafile={Cert},nosni", "-s", $"smtps://127.0.0.1:{p}", "b@example.org"]);
        Assert.True(code == 0, err);
        Assert.Matches("\nTLS started: TLSv1\\.[23]:\\S+:\\d+, certificate verified\n", err);
        Assert.Contains("TLS QUIT\n", transcript, StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void ABadCaFileIsFatalBeforeConnecting()
    {
        File.WriteAllText(Path.Combine(_dir, "bad.pem"), "not a certificate\n");
        var r = Binary.Run(Binary.LinkAs(_dir, "smtp"), ["-v", "-T", $"cafile={Path.Combine(_dir, "bad.pem")}", "-s", "smtps://127.0.0.1:1", "b@example.org"], stdin: "x\n");
        Assert.Equal(1, r.Code);
        Assert.StartsWith($"smtp: ca {Path.Combine(_dir, "bad.pem")}: ", r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("trying host", r.Err, StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void SmtpPlusTlsUpgradesTrustsTheGivenCaFileAndAuthenticatesOnlyThen()
    {
        File.WriteAllText(Path.Combine(_dir, "auth"), "user\nsecret\n");
        var (code, err, transcript) = Session("starttls", p => ["-a", Path.Combine(_dir, "auth"), "-T", $"cafile={Cert}", "-S", "localhost", "-s", $"smtp+tls://127.0.0.1:{p}", "b@example.org"]);
        Assert.Equal((0, "b@example.org: EOM: 250 2.0.0 0badcafe Message accepted for delivery\n"), (code, err));
        string plain = Convert.ToBase64String("\0user\0secret"u8.ToArray());
        Assert.Matches($"^PLAIN EHLO \\S+\nPLAIN STARTTLS\nTLS EHLO \\S+\nTLS AUTH PLAIN {plain}\nTLS MAIL FROM:<", transcript);
    }
}
