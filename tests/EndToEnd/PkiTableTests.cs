// Certificates from a table (`listen on ... pki <certs>`, our extension): each entry of the table
// ("host certificate-file key-file") is a certificate the listener presents to clients naming
// that host (SNI); a reload picks up an entry added to the table file without a restart;
// `smtpd -n` names a malformed entry at the table's line.
using System.Text.RegularExpressions;
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class PkiTableTests
{
    private static string Subject(int port, string serverName)
    {
        var r = Binary.Run("openssl", ["s_client", "-connect", "127.0.0.1:" + port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-starttls", "smtp", "-servername", serverName],
            stdin: "QUIT\r\n", timeout: TimeSpan.FromSeconds(30));
        return Regex.Match(r.Out, @"subject=\s*/?CN\s*=\s*(\S+)").Groups[1].Value;
    }

    private static string Entry(TestPki pki, string host)
    {
        var (cert, key) = pki.Issue(host, false, false, host);
        return $"{host} {cert} {key}\n";
    }

    [EndToEndFact]
    public void EachHostOfTheTableGetsItsCertificateAndAReloadAddsNewEntries()
    {
        var pki = TestPki.Create();
        string table = Path.Combine(pki.Dir, "certs");
        File.WriteAllText(table, Entry(pki, "a.example.org") + Entry(pki, "b.example.net"));
        string conf = $"table certs file:{table}\nlisten on 127.0.0.1 port {{PORT}} tls pki <certs>\naction \"local\" maildir\nmatch for local action \"local\"\n";
        using var d = Daemon.Start(conf).WaitReady();

        Assert.Equal("a.example.org", Subject(d.Port, "a.example.org"));
        Assert.Equal("b.example.net", Subject(d.Port, "b.example.net"));
        Assert.Equal("a.example.org", Subject(d.Port, "unknown.example.com")); // the first entry by default

        File.AppendAllText(table, Entry(pki, "c.example.com"));
        d.Signal(Libc.SIGHUP);
        Wait.Until(() => d.Log.Contains("info: smtp: certificates reloaded (3 pki)", StringComparison.Ordinal), () => "the reload brings the new entry:\n" + d.Log);
        Assert.Equal("c.example.com", Subject(d.Port, "c.example.com"));
        Assert.Equal("b.example.net", Subject(d.Port, "b.example.net"));
    }

    [EndToEndFact]
    public void AnEntryWithoutCertificateAndKeyFilesIsAnErrorOfTheTableLine()
    {
        var pki = TestPki.Create();
        string table = Path.Combine(pki.Dir, "certs");
        File.WriteAllText(table, Entry(pki, "a.example.org") + "b.example.net /only/one/file\n");
        string conf = Path.Combine(pki.Dir, "smtpd.conf");
        File.WriteAllText(conf, $"table certs file:{table}\nlisten on 127.0.0.1 port 2525 tls pki <certs>\naction \"local\" maildir\nmatch for local action \"local\"\n");
        var r = Binary.Run(Binary.Require(), ["-n", "-f", conf]);
        Assert.Equal(1, r.Code);
        Assert.Equal($"{conf}:1: table \"certs\": entry \"b.example.net\": expected a host name and \"certificate-file key-file\"\n", r.Err);
    }

    [EndToEndFact]
    public void ACertificatesTableThatIsNotAFileIsAnErrorOfTheTableLine()
    {
        var pki = TestPki.Create();
        string conf = Path.Combine(pki.Dir, "smtpd.conf");
        File.WriteAllText(conf, $"table certs db:{pki.Dir}/certs.db\nlisten on 127.0.0.1 port 2525 tls pki <certs>\naction \"local\" maildir\nmatch for local action \"local\"\n");
        var r = Binary.Run(Binary.Require(), ["-n", "-f", conf]);
        Assert.Equal(1, r.Code);
        Assert.Contains($"{conf}:1: table \"certs\": a certificates table (listen on ... pki <certs>) must be file: or inline, not db:\n", r.Err, StringComparison.Ordinal);
    }
}
