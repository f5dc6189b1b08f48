// `relay ... pki NAME`: the mta shows that certificate to a peer that asks for a client
// certificate, its private key kept in the crypto role as a listener's is.
using System.Text.Json.Nodes;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class RelayClientCertTests
{
    private static readonly string[] Zone =
    [
        "example.test. MX 10 mx-c.example.test.",
        "mx-c.example.test. A 127.0.0.13",
    ];

    [RelayFact]
    public void ARelayActionsPkiIsPresentedToAPeerThatRequiresAClientCertificate()
    {
        var pki = TestPki.Create();
        var (cert, key) = pki.Issue("mx-c", names: "mx-c.example.test");
        var (clientCert, clientKey) = pki.Issue("client", client: true, names: "client.example.test");
        using var w = new RelayWorld(Zone);
        var c = w.Peer("c", "127.0.0.13", new JsonObject { ["cert"] = cert, ["key"] = key, ["client_ca"] = pki.CaCert });
        using var daemon = w.Start(
            $"relay tls ca peers pki client.example.test",
            $"pki client.example.test cert \"{clientCert}\"\npki client.example.test key \"{clientKey}\"\nca peers cert \"{pki.CaCert}\"\n");
        w.Send(daemon, "smtpdtest@localhost", ["alice@example.test"], "From: smtpdtest@localhost\r\nSubject: client cert\r\n\r\nhi\r\n");

        Wait.Until(() => c.Messages().Count == 1, () => "the message is relayed over TLS with our certificate:\n" + daemon.Log + string.Join("\n", c.Transcript()));
        Assert.Equal("client.example.test", (string?)Assert.Single(c.Transcript(), e => (string?)e["event"] == "client cert")["cn"]);
        Assert.DoesNotContain(c.Transcript(), e => (string?)e["event"] == "tls failed");
        Assert.All(c.Transcript().Where(e => e["line"] is not null).SkipWhile(e => (string)e["line"]! != "STARTTLS").Skip(1), e => Assert.True((bool)e["tls"]!));
        Assert.Matches(@"[0-9a-f]{16} mta cert-check result=""valid"" fingerprint=""\S+""", daemon.Log);
        Assert.DoesNotContain("not supported yet", daemon.Log, StringComparison.Ordinal);
    }
}
