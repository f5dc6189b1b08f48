// Secure transport to peers beyond OpenSMTPD (smtpd.conf.5, our extensions), as an administrator
// sees it, in a private network namespace: DANE against TLSA records from a DNSSEC-signed zone
// that a validating unbound vouches for (RFC 7672), MTA-STS policies fetched over HTTPS from a
// local policy host and enforced or only reported (RFC 8461), and peers pinned by the SHA-256
// fingerprint of their certificate.
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class RelaySecurityTests
{
    private const string Sender = "smtpdtest@localhost";

    private static string Message(string subject) =>
        $"From: {Sender}\r\nTo: someone@example.test\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@client.test>\r\n\r\nhello\r\n";

    private static X509Certificate2 Leaf(string certFile) => X509Certificate2.CreateFromPem(File.ReadAllText(certFile));

    private static string Hex(byte[] data) => Convert.ToHexString(data).ToLowerInvariant();

    /// <summary>TLSA 3 1 1 data: SHA-256 of the certificate's SubjectPublicKeyInfo.</summary>
    private static string SpkiSha256(string certFile) => Hex(SHA256.HashData(Leaf(certFile).PublicKey.ExportSubjectPublicKeyInfo()));

    private static bool Delivered(Daemon d, string rcpt) => Regex.IsMatch(d.Log, $@"to=<{Regex.Escape(rcpt)}> .* result=""Ok""");

    private static bool Deferred(Daemon d, string rcpt) => Regex.IsMatch(d.Log, $@"to=<{Regex.Escape(rcpt)}> .* result=""TempFail""");

    private static void NoTransaction(MtaPeer p) =>
        Assert.DoesNotContain(p.Commands(), l => l.StartsWith("MAIL", StringComparison.Ordinal) || l.StartsWith("RCPT", StringComparison.Ordinal));

    [SignedZoneRelayFact]
    public void DaneAuthenticatesMxHostsWithValidatedTlsaRecordsAndNeverFallsBackToPlaintext()
    {
        var pki = TestPki.Create();
        // DANE-EE needs no CA and no matching name: this certificate names some other host.
        var (ee, eeKey) = pki.Issue("ee", names: "not-the-mx.elsewhere.test");
        var (ta, taKey) = pki.Issue("ta", names: "mx.ta.sec");
        var (impostor, impostorKey) = pki.Issue("impostor", names: "mx.bad.sec");
        var (plain, plainKey) = pki.Issue("plain", names: "whatever.test");
        string eeTlsa = SpkiSha256(ee);
        string caTlsa = Hex(SHA256.HashData(Leaf(pki.CaCert).RawData));
        string[] signed =
        [
            "ee.sec. IN MX 10 mx.ee.sec.", "mx.ee.sec. IN A 127.0.0.21", $"_25._tcp.mx.ee.sec. IN TLSA 3 1 1 {eeTlsa}",
            "ta.sec. IN MX 10 mx.ta.sec.", "mx.ta.sec. IN A 127.0.0.22", $"_25._tcp.mx.ta.sec. IN TLSA 2 0 1 {caTlsa}",
            "bad.sec. IN MX 10 mx.bad.sec.", "mx.bad.sec. IN A 127.0.0.23", $"_25._tcp.mx.bad.sec. IN TLSA 3 1 1 {eeTlsa}",
            "notls.sec. IN MX 10 mx.notls.sec.", "mx.notls.sec. IN A 127.0.0.24", $"_25._tcp.mx.notls.sec. IN TLSA 3 1 1 {eeTlsa}",
            "none.sec. IN MX 10 mx.none.sec.", "mx.none.sec. IN A 127.0.0.25",
            // PKIX usages are unusable for SMTP (RFC 7672 section 3.1.3): TLS is still required, unauthenticated.
            "pkix.sec. IN MX 10 mx.pkix.sec.", "mx.pkix.sec. IN A 127.0.0.26", $"_25._tcp.mx.pkix.sec. IN TLSA 1 1 1 {eeTlsa}",
        ];
        // Not signed: a TLSA record the resolver does not vouch for is ignored.
        string[] unsigned = ["insecure.test. MX 10 mx.insecure.test.", "mx.insecure.test. A 127.0.0.27", $"_25._tcp.mx.insecure.test. TLSA 3 1 1 {new string('0', 64)}"];
        using var w = new RelayWorld(unsigned, ("sec.", signed));
        var eePeer = w.Peer("ee", "127.0.0.21", new JsonObject { ["cert"] = ee, ["key"] = eeKey });
        var taPeer = w.Peer("ta", "127.0.0.22", new JsonObject { ["cert"] = ta, ["key"] = taKey });
        var badPeer = w.Peer("bad", "127.0.0.23", new JsonObject { ["cert"] = impostor, ["key"] = impostorKey });
        var notlsPeer = w.Peer("notls", "127.0.0.24");
        var nonePeer = w.Peer("none", "127.0.0.25", new JsonObject { ["cert"] = plain, ["key"] = plainKey });
        var pkixPeer = w.Peer("pkix", "127.0.0.26", new JsonObject { ["cert"] = plain, ["key"] = plainKey });
        var insecurePeer = w.Peer("insecure", "127.0.0.27", new JsonObject { ["cert"] = plain, ["key"] = plainKey });
        using var daemon = w.Start("relay tls dane");
        string[] rcpts = ["a@ee.sec", "b@ta.sec", "c@bad.sec", "d@notls.sec", "e@none.sec", "f@pkix.sec", "g@insecure.test"];
        foreach (var r in rcpts)
        {
            w.Send(daemon, Sender, [r], Message("dane " + r));
        }

        Wait.Until(() => rcpts.All(r => Delivered(daemon, r) || Deferred(daemon, r)), () => "every recipient is delivered or deferred:\n" + daemon.Log);

        // DANE-EE: the key matched, the certificate's name and CA did not matter.
        Assert.True(Delivered(daemon, "a@ee.sec"), daemon.Log);
        Assert.Single(eePeer.Messages());
        Assert.Contains("mta connecting address=smtp+tls://127.0.0.21:25 host=mx.ee.sec", daemon.Log, StringComparison.Ordinal);
        Assert.Matches(@"[0-9a-f]{16} mta cert-check result=""valid"" fingerprint=""SHA256:[0-9a-f]{64}"" authority=""dane-ee""", daemon.Log);

        // DANE-TA: the private CA named by the record vouches for a certificate with the MX's name.
        Assert.True(Delivered(daemon, "b@ta.sec"), daemon.Log);
        Assert.Single(taPeer.Messages());
        Assert.Matches(@"mta cert-check result=""valid"" fingerprint=""SHA256:[0-9a-f]{64}"" authority=""dane-ta depth=1""", daemon.Log);

        // A certificate that matches no record, or no STARTTLS at all: deferred, never sent in the clear.
        Assert.True(Deferred(daemon, "c@bad.sec"), daemon.Log);
        Assert.Matches(@"to=<c@bad\.sec> .* result=""TempFail"" stat=""TLS handshake failed: ", daemon.Log);
        Assert.Matches(@"mta cert-check result=""failure"" fingerprint=""-"" authority=""dane"" reason=""", daemon.Log);
        NoTransaction(badPeer);
        Assert.True(Deferred(daemon, "d@notls.sec"), daemon.Log);
        Assert.Matches(@"to=<d@notls\.sec> .* result=""TempFail"" stat=""TLS required but not supported by remote host""", daemon.Log);
        NoTransaction(notlsPeer);
        Assert.Empty(w.Reports());
        string queue = daemon.Ctl("show", "queue").Out;
        Assert.Contains("c@bad.sec", queue, StringComparison.Ordinal);
        Assert.Contains("d@notls.sec", queue, StringComparison.Ordinal);

        // No TLSA records, or records the resolver did not validate: opportunistic TLS as without DANE.
        Assert.True(Delivered(daemon, "e@none.sec"), daemon.Log);
        Assert.Single(nonePeer.Messages());
        Assert.Contains("mta connecting address=smtp://127.0.0.25:25 host=mx.none.sec", daemon.Log, StringComparison.Ordinal);
        Assert.True(Delivered(daemon, "g@insecure.test"), daemon.Log);
        Assert.Single(insecurePeer.Messages());
        Assert.Contains("mta connecting address=smtp://127.0.0.27:25 host=mx.insecure.test", daemon.Log, StringComparison.Ordinal);

        // Only unusable (PKIX) records: TLS required, certificate not checked.
        Assert.True(Delivered(daemon, "f@pkix.sec"), daemon.Log);
        Assert.Contains("mta connecting address=smtp+tls://127.0.0.26:25 host=mx.pkix.sec", daemon.Log, StringComparison.Ordinal);
        Assert.All(pkixPeer.Transcript().Where(e => e["line"] is not null).SkipWhile(e => (string)e["line"]! != "STARTTLS").Skip(1), e => Assert.True((bool)e["tls"]!));
    }

    [SignedZoneRelayFact]
    public void MtaTlsDaneMakesDaneTheDefaultOfRelayActionsToMxHosts()
    {
        var pki = TestPki.Create();
        var (ee, eeKey) = pki.Issue("ee", names: "mx.ee.sec");
        var (impostor, impostorKey) = pki.Issue("impostor", names: "mx.bad.sec");
        string eeTlsa = SpkiSha256(ee);
        string[] signed =
        [
            "ee.sec. IN MX 10 mx.ee.sec.", "mx.ee.sec. IN A 127.0.0.21", $"_25._tcp.mx.ee.sec. IN TLSA 3 1 1 {eeTlsa}",
            "bad.sec. IN MX 10 mx.bad.sec.", "mx.bad.sec. IN A 127.0.0.23", $"_25._tcp.mx.bad.sec. IN TLSA 3 1 1 {eeTlsa}",
        ];
        using var w = new RelayWorld([], ("sec.", signed));
        var eePeer = w.Peer("ee", "127.0.0.21", new JsonObject { ["cert"] = ee, ["key"] = eeKey });
        var badPeer = w.Peer("bad", "127.0.0.23", new JsonObject { ["cert"] = impostor, ["key"] = impostorKey });
        using var daemon = w.Start("relay", "mta tls dane\n");
        w.Send(daemon, Sender, ["a@ee.sec"], Message("global dane"));
        w.Send(daemon, Sender, ["c@bad.sec"], Message("global dane, impostor"));
        Wait.Until(() => Delivered(daemon, "a@ee.sec") && Deferred(daemon, "c@bad.sec"), () => "the genuine MX gets its mail, the impostor none:\n" + daemon.Log);
        Assert.Single(eePeer.Messages());
        Assert.Contains("authority=\"dane-ee\"", daemon.Log, StringComparison.Ordinal);
        NoTransaction(badPeer);
    }

    [RelayFact]
    public void MtaStsPoliciesAreFetchedCachedAndEnforcedOrInTestingModeOnlyReported()
    {
        var pki = TestPki.Create();
        string[] zone =
        [
            // enforce: the better MX is not in the policy and is never asked; the other one is verified.
            "enf.test. MX 10 mx-bad.enf.test.", "enf.test. MX 20 mx-good.enf.test.",
            "mx-bad.enf.test. A 127.0.0.31", "mx-good.enf.test. A 127.0.0.32",
            "_mta-sts.enf.test. TXT \"v=STSv1; id=enf1\"", "mta-sts.enf.test. A 127.0.0.61",
            // enforce, the MX matches the wildcard but its certificate names another host: deferred.
            "enfbad.test. MX 10 mx.enfbad.test.", "mx.enfbad.test. A 127.0.0.33",
            "_mta-sts.enfbad.test. TXT \"v=STSv1; id=x2\"", "mta-sts.enfbad.test. A 127.0.0.62",
            // testing: the same bad certificate, delivered and reported.
            "tst.test. MX 10 mx.tst.test.", "mx.tst.test. A 127.0.0.34",
            "_mta-sts.tst.test. TXT \"v=STSv1; id=t3\"", "mta-sts.tst.test. A 127.0.0.63",
            // no policy: opportunistic as ever.
            "nosts.test. MX 10 mx.nosts.test.", "mx.nosts.test. A 127.0.0.35",
        ];
        using var w = new RelayWorld(zone);
        var enf = StsPolicyServer.Start(w.Ns, Path.Combine(w.Dir, "sts-enf"), "127.0.0.61", pki, "enf.test",
            "version: STSv1\r\nmode: enforce\r\nmx: mx-good.enf.test\r\nmax_age: 86400\r\n");
        StsPolicyServer.Start(w.Ns, Path.Combine(w.Dir, "sts-enfbad"), "127.0.0.62", pki, "enfbad.test",
            "version: STSv1\nmode: enforce\nmx: *.enfbad.test\nmax_age: 86400\n");
        StsPolicyServer.Start(w.Ns, Path.Combine(w.Dir, "sts-tst"), "127.0.0.63", pki, "tst.test",
            "version: STSv1\nmode: testing\nmx: mx.tst.test\nmax_age: 86400\n");
        var (good, goodKey) = pki.Issue("mx-good", names: "mx-good.enf.test");
        var (bad, badKey) = pki.Issue("mx-bad", names: "mx-bad.enf.test");
        var (wrong, wrongKey) = pki.Issue("wrong", names: "somewhere-else.test");
        var badMx = w.Peer("bad", "127.0.0.31", new JsonObject { ["cert"] = bad, ["key"] = badKey });
        var goodMx = w.Peer("good", "127.0.0.32", new JsonObject { ["cert"] = good, ["key"] = goodKey });
        var enfbadMx = w.Peer("enfbad", "127.0.0.33", new JsonObject { ["cert"] = wrong, ["key"] = wrongKey });
        var tstMx = w.Peer("tst", "127.0.0.34", new JsonObject { ["cert"] = wrong, ["key"] = wrongKey });
        var nostsMx = w.Peer("nosts", "127.0.0.35", new JsonObject { ["cert"] = wrong, ["key"] = wrongKey });
        using var daemon = w.Start("relay mta-sts ca testca", $"ca testca cert \"{pki.CaCert}\"\n");
        string[] rcpts = ["a@enf.test", "b@enfbad.test", "c@tst.test", "d@nosts.test"];
        foreach (var r in rcpts)
        {
            w.Send(daemon, Sender, [r], Message("mta-sts " + r));
        }

        Wait.Until(() => rcpts.All(r => Delivered(daemon, r) || Deferred(daemon, r)), () => "every recipient is delivered or deferred:\n" + daemon.Log);

        Assert.Contains("mta-sts: policy of enf.test id=enf1 mode=enforce max_age=86400 mx=mx-good.enf.test", daemon.Log, StringComparison.Ordinal);
        Assert.True(Delivered(daemon, "a@enf.test"), daemon.Log);
        Assert.Single(goodMx.Messages());
        Assert.Empty(badMx.Commands());
        Assert.Contains("smtp-out: skipping MX mx-bad.enf.test: MX mx-bad.enf.test is not permitted by the MTA-STS policy", daemon.Log, StringComparison.Ordinal);
        Assert.Contains("mta connecting address=smtp+tls://127.0.0.32:25 host=mx-good.enf.test", daemon.Log, StringComparison.Ordinal);
        Assert.Matches(@"mta cert-check result=""valid"" fingerprint=""SHA256:[0-9a-f]{64}"" authority=""mta-sts""", daemon.Log);

        Assert.True(Deferred(daemon, "b@enfbad.test"), daemon.Log);
        Assert.Matches(@"to=<b@enfbad\.test> .* result=""TempFail"" stat=""TLS handshake failed: ", daemon.Log);
        NoTransaction(enfbadMx);

        Assert.True(Delivered(daemon, "c@tst.test"), daemon.Log);
        Assert.Single(tstMx.Messages());
        Assert.Matches(@"mta cert-check result=""failure"" fingerprint=""SHA256:[0-9a-f]{64}"" authority=""mta-sts"" reason=""testing mode, delivering anyway: ", daemon.Log);

        Assert.True(Delivered(daemon, "d@nosts.test"), daemon.Log);
        Assert.Single(nostsMx.Messages());
        Assert.Contains("mta connecting address=smtp://127.0.0.35:25 host=mx.nosts.test", daemon.Log, StringComparison.Ordinal);

        // The next message to enf.test: the record's id is unchanged, the cached policy serves.
        w.Send(daemon, Sender, ["again@enf.test"], Message("mta-sts cached"));
        Wait.Until(() => Delivered(daemon, "again@enf.test"), () => "the second message is delivered:\n" + daemon.Log);
        Assert.Equal(2, goodMx.Messages().Count);
        var fetched = Assert.Single(enf.Requests());
        Assert.Equal("GET /.well-known/mta-sts.txt HTTP/1.1 host=mta-sts.enf.test", fetched);
        Assert.Empty(badMx.Commands());
    }

    [RelayFact]
    public void APinnedCertificateFingerprintIsAcceptedWithoutACaAndAnyOtherIsDeferred()
    {
        var pki = TestPki.Create();
        var (c, cKey) = pki.Issue("mx-c", names: "mx-c.example.test");
        var (d, dKey) = pki.Issue("mx-d", names: "mx-d.example.test");
        var (e, eKey) = pki.Issue("mx-e", names: "mx-e.example.test");
        string[] zone = ["mx-c.example.test. A 127.0.0.13", "mx-d.example.test. A 127.0.0.14", "mx-e.example.test. A 127.0.0.15"];
        string fpC = Hex(SHA256.HashData(Leaf(c).RawData));
        // Postfix's form: upper-case hex pairs separated by colons.
        string fpD = string.Join(':', Convert.ToHexString(SHA256.HashData(Leaf(d).RawData)).Chunk(2).Select(p => new string(p)));
        using var w = new RelayWorld(zone);
        var cPeer = w.Peer("c", "127.0.0.13", new JsonObject { ["cert"] = c, ["key"] = cKey });
        var dPeer = w.Peer("d", "127.0.0.14", new JsonObject { ["cert"] = d, ["key"] = dKey });
        var ePeer = w.Peer("e", "127.0.0.15", new JsonObject { ["cert"] = e, ["key"] = eKey });
        using var daemon = w.Start($"relay host smtp://mx-c.example.test tls fingerprint {{ \"SHA256:{fpC}\" }}", $$"""
            table pins { "{{fpD}}", "SHA256:{{fpC}}" }
            action "d" relay host smtp://mx-d.example.test tls fingerprint <pins>
            action "e" relay host smtp://mx-e.example.test tls fingerprint <pins>
            match from local for domain "d.test" action "d"
            match from local for domain "e.test" action "e"

            """);
        w.Send(daemon, Sender, ["c@c.test"], Message("pinned c"));
        w.Send(daemon, Sender, ["d@d.test"], Message("pinned d"));
        w.Send(daemon, Sender, ["e@e.test"], Message("not pinned"));
        Wait.Until(() => Delivered(daemon, "c@c.test") && Delivered(daemon, "d@d.test") && Deferred(daemon, "e@e.test"),
            () => "the pinned peers get their mail, the other is deferred:\n" + daemon.Log);
        Assert.Single(cPeer.Messages());
        Assert.Single(dPeer.Messages());
        Assert.Contains($"mta cert-check result=\"valid\" fingerprint=\"SHA256:{fpC}\" authority=\"fingerprint\"", daemon.Log, StringComparison.Ordinal);
        Assert.Contains("mta connecting address=smtp+tls://127.0.0.13:25 host=mx-c.example.test", daemon.Log, StringComparison.Ordinal);
        Assert.Matches(@"mta cert-check result=""failure"" fingerprint=""SHA256:[0-9a-f]{64}"" authority=""fingerprint"" reason=""certificate fingerprint not pinned""", daemon.Log);
        Assert.Matches(@"to=<e@e\.test> .* result=""TempFail"" stat=""TLS handshake failed: certificate fingerprint not pinned""", daemon.Log);
        NoTransaction(ePeer);
        Assert.Empty(w.Reports());
    }
}
