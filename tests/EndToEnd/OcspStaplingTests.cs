// OCSP stapling (`pki NAME ocsp`, our extension): the lka asks the responder the certificate
// names (a local `openssl ocsp` for a TestPki CA), and the dispatcher staples the answer to the
// handshakes of clients that ask for it (`openssl s_client -status`). A revoked certificate's
// response is stapled as the responder gave it; a pki without ocsp staples nothing; `smtpd -n`
// refuses ocsp for a certificate that names no responder.
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class OcspStaplingTests
{
    private static string Status(int port, string serverName)
    {
        var r = Binary.Run("openssl", ["s_client", "-connect", "127.0.0.1:" + port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-starttls", "smtp", "-status", "-servername", serverName],
            stdin: "QUIT\r\n", timeout: TimeSpan.FromSeconds(30));
        return r.Out;
    }

    private static (TestPki Pki, OcspResponder Responder, string Cert, string Key) Setup(bool revoked)
    {
        var pki = TestPki.Create();
        int ocspPort = Daemon.FreePort();
        pki.OcspResponder = OcspResponder.Url(ocspPort);
        var (cert, key) = pki.Issue("mx.example.org", false, false, "mx.example.org");
        string index = pki.OcspIndex((cert, revoked));
        return (pki, OcspResponder.Start(pki, index, ocspPort), cert, key);
    }

    [EndToEndFact]
    public void AClientAskingForTheStatusGetsTheRespondersGoodAnswerStapled()
    {
        var (pki, responder, cert, key) = Setup(revoked: false);
        using (responder)
        {
            pki.OcspResponder = null;
            string plain = pki.PkiLine("plain.example.org");
            string conf = $"pki mx.example.org cert \"{cert}\" key \"{key}\"\npki mx.example.org ocsp\n" + plain
                + "listen on 127.0.0.1 port {PORT} tls pki mx.example.org pki plain.example.org\naction \"local\" maildir\nmatch for local action \"local\"\n";
            using var d = Daemon.Start(conf).WaitReady();
            Wait.Until(() => d.Log.Contains("ocsp: pki \"mx.example.org\": certificate status good, response stapled", StringComparison.Ordinal), () => "the lka fetched the response:\n" + d.Log);

            string output = Status(d.Port, "mx.example.org");
            Assert.Contains("OCSP Response Status: successful (0x0)", output, StringComparison.Ordinal);
            Assert.Contains("Cert Status: good", output, StringComparison.Ordinal);

            // The other certificate of the listener has no ocsp: nothing stapled for it.
            output = Status(d.Port, "plain.example.org");
            Assert.Contains("OCSP response: no response sent", output, StringComparison.Ordinal);
        }
    }

    [EndToEndFact]
    public void ARevokedCertificatesResponseIsStapledAsTheResponderGaveItAndWarnedAbout()
    {
        var (_, responder, cert, key) = Setup(revoked: true);
        using (responder)
        {
            string conf = $"pki mx.example.org cert \"{cert}\" key \"{key}\" ocsp\n"
                + "listen on 127.0.0.1 port {PORT} tls pki mx.example.org\naction \"local\" maildir\nmatch for local action \"local\"\n";
            using var d = Daemon.Start(conf).WaitReady();
            Wait.Until(() => d.Log.Contains("warn: ocsp: pki \"mx.example.org\": certificate status revoked, response stapled", StringComparison.Ordinal), () => "the lka fetched the response:\n" + d.Log);

            string output = Status(d.Port, "mx.example.org");
            Assert.Contains("OCSP Response Status: successful (0x0)", output, StringComparison.Ordinal);
            Assert.Contains("Cert Status: revoked", output, StringComparison.Ordinal);
            Assert.DoesNotContain("Cert Status: good", output, StringComparison.Ordinal);
        }
    }

    [EndToEndFact]
    public void AfterAReloadWithARenewedCertificateItsOwnResponseIsStapled()
    {
        var pki = TestPki.Create();
        int ocspPort = Daemon.FreePort();
        pki.OcspResponder = OcspResponder.Url(ocspPort);
        var (cert, key) = pki.Issue("mx.example.org", false, false, "mx.example.org");
        var (renewed, renewedKey) = pki.Issue("renewed", false, false, "mx.example.org");
        using var responder = OcspResponder.Start(pki, pki.OcspIndex((cert, false), (renewed, false)), ocspPort);
        string live = Path.Combine(pki.Dir, "live");
        Directory.CreateDirectory(live);
        File.Copy(cert, Path.Combine(live, "mx.crt"));
        File.Copy(key, Path.Combine(live, "mx.key"));
        string conf = $"pki mx.example.org cert \"{live}/mx.crt\" key \"{live}/mx.key\" ocsp\n"
            + "listen on 127.0.0.1 port {PORT} tls pki mx.example.org\naction \"local\" maildir\nmatch for local action \"local\"\n";
        using var d = Daemon.Start(conf).WaitReady();
        Wait.Until(() => d.Log.Contains("certificate status good, response stapled", StringComparison.Ordinal), () => "the first response:\n" + d.Log);
        Assert.Contains("Serial Number: " + TestPki.Serial(cert), Status(d.Port, "mx.example.org"), StringComparison.Ordinal);

        File.Copy(renewed, Path.Combine(live, "mx.crt"), overwrite: true);
        File.Copy(renewedKey, Path.Combine(live, "mx.key"), overwrite: true);
        d.Signal(Smtpd.Interop.Libc.SIGHUP);
        Wait.Until(() => d.Log.Contains("info: smtp: certificates reloaded", StringComparison.Ordinal)
            && System.Text.RegularExpressions.Regex.Count(d.Log, "certificate status good, response stapled") >= 2, () => "the reload and the second response:\n" + d.Log);
        Wait.Until(() => Status(d.Port, "mx.example.org").Contains("Serial Number: " + TestPki.Serial(renewed), StringComparison.Ordinal), "the renewed certificate's response is stapled");
        Assert.Contains("Cert Status: good", Status(d.Port, "mx.example.org"), StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void AResponderThatIsDownMeansNoStapleAndARetryLater()
    {
        var pki = TestPki.Create();
        pki.OcspResponder = OcspResponder.Url(Daemon.FreePort());
        var (cert, key) = pki.Issue("mx.example.org", false, false, "mx.example.org");
        string conf = $"pki mx.example.org cert \"{cert}\" key \"{key}\" ocsp\n"
            + "listen on 127.0.0.1 port {PORT} tls pki mx.example.org\naction \"local\" maildir\nmatch for local action \"local\"\n";
        using var d = Daemon.Start(conf).WaitReady();
        Wait.Until(() => d.Log.Contains("warn: ocsp: pki \"mx.example.org\": no response: ", StringComparison.Ordinal), () => "the lka tried:\n" + d.Log);
        Assert.Contains("trying again in 5 minutes", d.Log, StringComparison.Ordinal);
        Assert.Contains("OCSP response: no response sent", Status(d.Port, "mx.example.org"), StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void OcspForACertificateThatNamesNoResponderIsAnErrorOfThePkiLine()
    {
        var pki = TestPki.Create();
        var (cert, key) = pki.Issue("mx.example.org", false, false, "mx.example.org");
        string conf = Path.Combine(pki.Dir, "smtpd.conf");
        File.WriteAllText(conf, $"pki mx.example.org cert \"{cert}\" key \"{key}\" ocsp\nlisten on 127.0.0.1 port 2525 tls pki mx.example.org\naction \"local\" maildir\nmatch for local action \"local\"\n");
        var r = Binary.Run(Binary.Require(), ["-n", "-f", conf]);
        Assert.Equal(1, r.Code);
        Assert.Equal($"{conf}:1: pki \"mx.example.org\": ocsp: the certificate in \"{cert}\" names no OCSP responder\n", r.Err);
    }
}
