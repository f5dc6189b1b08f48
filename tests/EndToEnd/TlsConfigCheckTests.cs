// `smtpd -n` finds what is wrong with certificates and keys before any client connects: a key
// that belongs to another certificate, a file that is not a certificate, a key that does not
// parse, each as an error of the pki line (file:line), and the daemon does not start.
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

public class TlsConfigCheckTests
{
    private static (int Code, string Out, string Err) Check(string conf) => Binary.Run(Binary.Require(), ["-n", "-f", conf]);

    private static string Config(TestPki pki, string pkiLines)
    {
        string conf = Path.Combine(pki.Dir, "smtpd.conf");
        File.WriteAllText(conf, pkiLines + "listen on 127.0.0.1 port 2525 tls pki mx.example.org\naction \"local\" maildir\nmatch for local action \"local\"\n");
        return conf;
    }

    [EndToEndFact]
    public void AGoodCertificateAndKeyPass()
    {
        var pki = TestPki.Create();
        var r = Check(Config(pki, pki.PkiLine("mx.example.org")));
        Assert.Equal(0, r.Code);
        Assert.Equal("configuration OK\n", r.Err);
    }

    [EndToEndFact]
    public void AKeyOfAnotherCertificateIsAnErrorOfThePkiLine()
    {
        var pki = TestPki.Create();
        var (cert, _) = pki.Issue("mx.example.org", false, false, "mx.example.org");
        var (_, otherKey) = pki.Issue("other", false, false, "other.example.org");
        string conf = Config(pki, $"pki mx.example.org cert \"{cert}\" key \"{otherKey}\"\n");
        var r = Check(conf);
        Assert.Equal(1, r.Code);
        Assert.Equal($"{conf}:1: pki \"mx.example.org\": key file \"{otherKey}\" does not match certificate file \"{cert}\"\n", r.Err);
    }

    [EndToEndFact]
    public void AFileThatIsNotACertificateOrAKeyIsNamedWithOpenSslsReason()
    {
        var pki = TestPki.Create();
        var (cert, key) = pki.Issue("mx.example.org", false, false, "mx.example.org");
        string junk = Path.Combine(pki.Dir, "junk.pem");
        File.WriteAllText(junk, "not PEM at all\n");

        string conf = Config(pki, $"pki mx.example.org cert \"{junk}\" key \"{key}\"\n");
        var r = Check(conf);
        Assert.Equal(1, r.Code);
        Assert.StartsWith($"{conf}:1: pki \"mx.example.org\": failed to load certificate file \"{junk}\": ", r.Err, StringComparison.Ordinal);

        conf = Config(pki, $"pki mx.example.org cert \"{cert}\" key \"{junk}\"\n");
        r = Check(conf);
        Assert.Equal(1, r.Code);
        Assert.StartsWith($"{conf}:1: pki \"mx.example.org\": failed to load key file \"{junk}\": ", r.Err, StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void UnknownProtocolsOrCiphersAreAnErrorOfTheListenerLine()
    {
        var pki = TestPki.Create();
        string conf = Path.Combine(pki.Dir, "opts.conf");
        File.WriteAllText(conf, pki.PkiLine("mx.example.org")
            + "listen on 127.0.0.1 port 2525 tls pki mx.example.org protocols \"tlsv1.2,sslv3\"\n"
            + "listen on 127.0.0.1 port 2526 tls pki mx.example.org ciphers \"NO-SUCH-CIPHER\"\n"
            + "listen on 127.0.0.1 port 2527 tls pki mx.example.org ciphers \"secure\" protocols \"tlsv1.3\"\n"
            + "action \"local\" maildir\nmatch for local action \"local\"\n");
        var r = Check(conf);
        Assert.Equal(1, r.Code);
        Assert.Equal(
            $"{conf}:2: failed to parse protocols \"tlsv1.2,sslv3\"\n"
            + $"{conf}:3: invalid ciphers \"NO-SUCH-CIPHER\": no cipher match\n",
            r.Err);
    }
}
