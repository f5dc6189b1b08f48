// Relaying as a user of the real daemon sees it, in a private network namespace with a real DNS
// server (unbound) and real peers on port 25: the MX order and failover, one pipelined
// transaction per message and domain, the message byte for byte, bounces with the peer's own
// status, permanent DNS failures, retries that deliver exactly once, LMTP, relay hosts with
// helo, src and mail-from, TLS that is required and never replaced by plaintext, IPv6 and
// implicit MX, and our own daemon as the receiving MX.
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class RelayTests
{
    private const string Sender = "smtpdtest@localhost";

    private static readonly string[] Zone =
    [
        "example.test. MX 10 mx-a.example.test.",
        "example.test. MX 20 mx-b.example.test.",
        "example.test. MX 30 mx-c.example.test.",
        "example.test. MX 40 mx-d.example.test.",
        "mx-a.example.test. A 127.0.0.11",
        "mx-b.example.test. A 127.0.0.12",
        "mx-c.example.test. A 127.0.0.13",
        "mx-d.example.test. A 127.0.0.14",
        "nullmx.test. MX 0 .",
        "relay.test. A 127.0.0.30",
        "v6.test. AAAA fd00::25",
        "own.test. MX 5 mx.own.test.",
        "mx.own.test. A 127.0.0.40",
        "mx-e.example.test. A 127.0.0.15",
    ];

    private static string Message(string subject, string body) =>
        $"From: {Sender}\r\nTo: someone@example.test\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@client.test>\r\n\r\n{body}";

    [RelayFact]
    public void MailGoesToTheBestMxThatTakesItAfterRefusedAndGreetingRejectedHosts()
    {
        using var w = new RelayWorld(Zone);
        // mx-a: nothing listens (connection refused); mx-b: 421 at the greeting; mx-c takes mail; mx-d must never be asked.
        var b = w.Peer("b", "127.0.0.12", new JsonObject { ["banner"] = "421 4.3.2 mx-b busy" });
        var c = w.Peer("c", "127.0.0.13", new JsonObject { ["name"] = "mx-c.example.test" });
        var d = w.Peer("d", "127.0.0.14");
        using var daemon = w.Start("relay");
        w.Send(daemon, Sender, ["alice@example.test"], Message("mx order", "hello\r\n"));

        Wait.Until(() => daemon.Log.Contains("result=\"Ok\"", StringComparison.Ordinal), () => "the message is relayed:\n" + daemon.Log);
        Assert.Single(c.Messages());
        Assert.Empty(d.Messages());
        Assert.Empty(d.Commands());
        Assert.DoesNotContain(b.Commands(), l => l.StartsWith("MAIL", StringComparison.Ordinal));

        // The log, as OpenSMTPD writes it: the three hosts in MX order, the delivery through mx-c.
        var connecting = Regex.Matches(daemon.Log, @"mta connecting address=smtp://(127\.0\.0\.\d+):25 host=(\S+)").Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();
        Assert.Equal([("127.0.0.11", "mx-a.example.test"), ("127.0.0.12", "mx-b.example.test"), ("127.0.0.13", "mx-c.example.test")], connecting);
        Assert.Matches(@"[0-9a-f]{16} mta error reason=Connection failed: ", daemon.Log);
        Assert.Matches(@"[0-9a-f]{16} mta error reason=BANNER rejected: 421 4\.3\.2 mx-b busy", daemon.Log);
        Assert.Matches(
            @"[0-9a-f]{16} mta delivery evpid=[0-9a-f]{16} from=<smtpdtest@localhost> to=<alice@example\.test> rcpt=<-> source=""127\.0\.0\.1"" relay=""127\.0\.0\.13 \(mx-c\.example\.test\)"" delay=\d+s result=""Ok"" stat=""250 2\.0\.0 Ok: queued as 1""",
            daemon.Log);
        Wait.Until(() => daemon.Log.Contains("mta disconnected reason=quit messages=1", StringComparison.Ordinal), "the session ends with QUIT");
    }

    [RelayFact]
    public void OneDomainsRecipientsShareOnePipelinedTransactionTheBodyArrivesByteForByteAndARejectionBouncesWithThePeersStatus()
    {
        using var w = new RelayWorld(Zone);
        var c = w.Peer("c", "127.0.0.13", new JsonObject
        {
            ["name"] = "mx-c.example.test",
            ["rcpt"] = new JsonObject { ["nobody@example.test"] = "550 5.1.1 <nobody@example.test>: Recipient address rejected: User unknown" },
        });
        using var daemon = w.Start("relay");
        // Lines starting with dots, an 8-bit line, a long line, and no final line end.
        string body = ".leading dot\r\n..two dots\r\n.\r\nnot the end\r\ncaf\u00e9 cr\u00e8me\r\n" + new string('x', 900) + "\r\nlast line without end";
        byte[] sent = Encoding.UTF8.GetBytes(Message("batch", body));
        w.Send(daemon, Sender, ["one@example.test", "nobody@example.test", "two@example.test"], sent);

        Wait.Until(() => Regex.Count(daemon.Log, "mta delivery ") == 3 && w.Reports().Count == 1, () => "three recipients are done and one bounce is delivered:\n" + daemon.Log);

        // One transaction: MAIL (with SIZE and BODY=8BITMIME, which the peer offers) and the
        // three RCPTs arrived in one read (PIPELINING), then one DATA.
        var transcript = c.Transcript().Where(e => e["line"] is not null).ToList();
        var mail = Assert.Single(transcript, e => ((string)e["line"]!).StartsWith("MAIL", StringComparison.Ordinal));
        Assert.Matches(@"^MAIL FROM:<smtpdtest@localhost> SIZE=\d+ BODY=8BITMIME$", (string)mail["line"]!);
        var rcpts = transcript.Where(e => ((string)e["line"]!).StartsWith("RCPT", StringComparison.Ordinal)).ToList();
        Assert.Equal(["RCPT TO:<one@example.test>", "RCPT TO:<nobody@example.test>", "RCPT TO:<two@example.test>"], rcpts.Select(e => (string)e["line"]!));
        Assert.All(rcpts, r => Assert.Equal((int)mail["read"]!, (int)r["read"]!));
        Assert.Equal((int)mail["read"]!, (int)Assert.Single(transcript, e => (string)e["line"]! == "DATA")["read"]!);

        // Byte for byte: our Received header, then the message as submitted, dot-stuffed on the wire, the last line completed.
        byte[] data = Assert.Single(c.Messages());
        string wire = Encoding.UTF8.GetString(data);
        Assert.StartsWith("Received: from client.test (localhost [127.0.0.1])\r\n", wire, StringComparison.Ordinal);
        string stuffed = Encoding.UTF8.GetString(sent).Replace("\r\n.", "\r\n..", StringComparison.Ordinal) + "\r\n";
        Assert.EndsWith("\r\n" + stuffed, wire, StringComparison.Ordinal);

        // The rejected recipient: bounced at once, with the peer's status, host and reply (RFC 3464).
        Assert.Contains("result=\"PermFail\" stat=\"550 5.1.1 <nobody@example.test>: Recipient address rejected: User unknown\"", daemon.Log, StringComparison.Ordinal);
        string report = Assert.Single(w.Reports());
        string unfolded = Regex.Replace(report, @"\r?\n[ \t]+", " ");
        Assert.Contains("Final-Recipient: rfc822; nobody@example.test", unfolded, StringComparison.Ordinal);
        Assert.Contains("Action: failed", unfolded, StringComparison.Ordinal);
        Assert.Contains("Status: 5.1.1", unfolded, StringComparison.Ordinal);
        Assert.Contains("Remote-MTA: dns; mx-c.example.test", unfolded, StringComparison.Ordinal);
        Assert.Contains("Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.test>: Recipient address rejected: User unknown", unfolded, StringComparison.Ordinal);
        Assert.DoesNotContain("one@example.test", unfolded.Split("Content-Type: text/rfc822-headers")[0].Split("Delivery Report")[1], StringComparison.Ordinal);
    }

    [RelayFact]
    public void WithoutPipeliningEachCommandWaitsForItsReplyAndEhloRefusedFallsBackToHelo()
    {
        using var w = new RelayWorld(Zone);
        var c = w.Peer("c", "127.0.0.13", new JsonObject { ["ehlo_reply"] = "502 5.5.2 EHLO not implemented" });
        using var daemon = w.Start("relay");
        w.Send(daemon, Sender, ["one@example.test", "two@example.test"], Message("no pipelining", "hi\r\n"));
        Wait.Until(() => c.Messages().Count == 1 && Regex.Count(daemon.Log, "result=\"Ok\"") == 2, () => "both recipients are relayed:\n" + daemon.Log);

        var lines = c.Transcript().Where(e => e["line"] is not null).ToList();
        Assert.Equal(["EHLO", "HELO", "MAIL FROM:<smtpdtest@localhost>", "RCPT TO:<one@example.test>", "RCPT TO:<two@example.test>", "DATA"],
            lines.Take(6).Select(e => ((string)e["line"]!).StartsWith("EHLO", StringComparison.Ordinal) ? "EHLO" : ((string)e["line"]!).StartsWith("HELO", StringComparison.Ordinal) ? "HELO" : (string)e["line"]!));
        // No ESMTP: no parameters, and every command in a read of its own.
        Assert.Equal(lines.Count, lines.Select(e => (int)e["read"]!).Distinct().Count());
    }

    [RelayFact]
    public void ANullMxAndADomainThatDoesNotExistBounceAtOnce()
    {
        using var w = new RelayWorld(Zone);
        using var daemon = w.Start("relay");
        w.Send(daemon, Sender, ["a@nullmx.test", "b@nosuchdomain.test"], Message("dns", "hi\r\n"));
        // One report for the message, naming both (the failures of one message are grouped).
        Wait.Until(() => string.Join("\n", w.Reports()) is { } text && text.Contains("a@nullmx.test", StringComparison.Ordinal) && text.Contains("b@nosuchdomain.test", StringComparison.Ordinal), () => "both recipients bounce:\n" + daemon.Log);
        Assert.Single(w.Reports());
        string all = string.Join("\n", w.Reports());
        Assert.Contains("a@nullmx.test", all, StringComparison.Ordinal);
        Assert.Contains("Domain does not accept mail (null MX)", all, StringComparison.Ordinal);
        Assert.Contains("b@nosuchdomain.test", all, StringComparison.Ordinal);
        Assert.Contains("Domain does not exist", all, StringComparison.Ordinal);
        Assert.Equal(2, Regex.Count(daemon.Log, "mta delivery .* result=\"PermFail\""));
        Assert.DoesNotContain("mta connecting", daemon.Log, StringComparison.Ordinal);
    }

    [RelayFact]
    public void ATemporaryRefusalAndADropInDataAreRetriedAndDeliveredExactlyOnce()
    {
        using var w = new RelayWorld(Zone);
        var c = w.Peer("c", "127.0.0.13", new JsonObject
        {
            ["drop_in_data"] = 1,
            ["rcpt_once"] = new JsonObject { ["later@example.test"] = "450 4.2.0 <later@example.test>: try again later" },
        });
        using var daemon = w.Start("relay");
        w.Send(daemon, Sender, ["dropped@example.test"], Message("dropped", "first\r\n"));
        Wait.Until(() => daemon.Log.Contains("result=\"TempFail\"", StringComparison.Ordinal), () => "the drop defers the message:\n" + daemon.Log + string.Join("\n", c.Transcript()));
        w.Send(daemon, Sender, ["later@example.test"], Message("later", "second\r\n"));
        Wait.Until(() => Regex.Count(daemon.Log, "result=\"TempFail\"") == 2, () => "the 450 defers the recipient:\n" + daemon.Log);
        Assert.True(Regex.IsMatch(daemon.Log, @"to=<later@example\.test> .* result=""TempFail"" stat=""450 4\.2\.0 <later@example\.test>: try again later"""), daemon.Log);
        Assert.Empty(w.Reports());

        // A delivery to the domain that works brings the deferred ones back at once (OpenSMTPD's
        // hoststat reschedule), instead of after their backoff.
        w.Send(daemon, Sender, ["now@example.test"], Message("now", "third\r\n"));
        Wait.Until(() => Regex.Count(daemon.Log, "result=\"Ok\"") == 3, () => "all three are delivered:\n" + daemon.Log);
        Thread.Sleep(1000);
        var bodies = c.Messages().Select(Encoding.UTF8.GetString).ToList();
        Assert.Equal(3, bodies.Count);
        Assert.Single(bodies, m => m.Contains("Subject: dropped", StringComparison.Ordinal));
        Assert.Single(bodies, m => m.Contains("Subject: later", StringComparison.Ordinal));
        Assert.Empty(w.Reports());
        Assert.Empty(daemon.Ctl("show", "queue").Out);
    }

    [RelayFact]
    public void AnLmtpRelayAnswersForEachRecipientAfterTheData()
    {
        using var w = new RelayWorld(Zone);
        var lmtp = w.Peer("lmtp", "127.0.0.20", new JsonObject
        {
            ["lmtp"] = true,
            ["lmtp_rcpt"] = new JsonObject { ["full@example.test"] = "552 5.2.2 <full@example.test>: Mailbox full" },
        }, port: 2400);
        using var daemon = w.Start("relay host lmtp://127.0.0.20:2400");
        w.Send(daemon, Sender, ["ok@example.test", "full@example.test"], Message("lmtp", "hi\r\n"));
        Wait.Until(() => w.Reports().Count == 1 && daemon.Log.Contains("result=\"Ok\"", StringComparison.Ordinal), () => "one delivered, one bounced:\n" + daemon.Log);
        Assert.StartsWith("LHLO ", lmtp.Commands()[0], StringComparison.Ordinal);
        Assert.Single(lmtp.Messages());
        Assert.Contains("mta connecting address=lmtp://127.0.0.20:2400 host=127.0.0.20", daemon.Log, StringComparison.Ordinal);
        Assert.Matches(@"to=<ok@example\.test> .* result=""Ok"" stat=""250 2\.0\.0 <ok@example\.test> Ok""", daemon.Log);
        string report = Regex.Replace(w.Reports()[0], @"\r?\n[ \t]+", " ");
        Assert.Contains("Status: 5.2.2", report, StringComparison.Ordinal);
        Assert.Contains("Diagnostic-Code: smtp; 552 5.2.2 <full@example.test>: Mailbox full", report, StringComparison.Ordinal);
    }

    [RelayFact]
    public void ARelayHostGetsTheActionsHeloSourceAddressAndMailFrom()
    {
        using var w = new RelayWorld(Zone);
        var relay = w.Peer("relay", "127.0.0.30", port: 2526);
        using var daemon = w.Start("relay host smtp+notls://relay.test:2526 helo \"out.example.test\" src 127.0.0.77 mail-from \"bounces@example.org\"");
        w.Send(daemon, Sender, ["far@elsewhere.test"], Message("via relay", "hi\r\n"));
        // The peer has the message a moment before our mta logs the delivery.
        Wait.Until(() => relay.Messages().Count == 1 && daemon.Log.Contains("result=\"Ok\"", StringComparison.Ordinal), () => "the relay host gets the message:\n" + daemon.Log);
        Assert.Equal("EHLO out.example.test", relay.Commands()[0]);
        Assert.StartsWith("MAIL FROM:<bounces@example.org>", relay.Commands()[1], StringComparison.Ordinal);
        Assert.All(relay.Transcript(), e => Assert.Equal("127.0.0.77", (string)e["peer"]!));
        Assert.Contains("source=\"127.0.0.77\" relay=\"127.0.0.30 (relay.test)\"", daemon.Log, StringComparison.Ordinal);
    }

    [RelayFact]
    public void RequiredTlsIsNeverReplacedByPlaintext()
    {
        using var w = new RelayWorld(Zone);
        // The peer offers no STARTTLS at all.
        var relay = w.Peer("relay", "127.0.0.31", new JsonObject { ["caps"] = new JsonArray("PIPELINING", "8BITMIME") });
        using var daemon = w.Start("relay host smtp+tls://127.0.0.31");
        w.Send(daemon, Sender, ["secret@example.test"], Message("secret", "not in the clear\r\n"));
        Wait.Until(() => daemon.Log.Contains("result=\"TempFail\"", StringComparison.Ordinal), () => "the delivery is deferred:\n" + daemon.Log);
        Assert.DoesNotContain(relay.Commands(), l => l.StartsWith("MAIL", StringComparison.Ordinal) || l.StartsWith("RCPT", StringComparison.Ordinal));
        Assert.Empty(relay.Messages());
        Assert.Contains("mta connecting address=smtp+tls://127.0.0.31:25", daemon.Log, StringComparison.Ordinal);
        Assert.Matches(@"mta error reason=TLS required but ", daemon.Log);
        Assert.Empty(w.Reports());
        Assert.Contains("secret@example.test", daemon.Ctl("show", "queue").Out, StringComparison.Ordinal);
    }

    [RelayFact]
    public void ADomainWithoutMxIsItsOwnMxOverIpv6()
    {
        using var w = new RelayWorld(Zone);
        w.Ns.AddAddress("fd00::25/128");
        var v6 = w.Peer("v6", "fd00::25");
        using var daemon = w.Start("relay");
        w.Send(daemon, Sender, ["user@v6.test"], Message("v6", "hi\r\n"));
        Wait.Until(() => v6.Messages().Count == 1 && daemon.Log.Contains("result=\"Ok\"", StringComparison.Ordinal), () => "the message reaches the domain's own AAAA address:\n" + daemon.Log);
        Assert.Contains("mta connecting address=smtp://[fd00::25]:25 host=v6.test", daemon.Log, StringComparison.Ordinal);
        Assert.Contains("relay=\"[fd00::25] (v6.test)\"", daemon.Log, StringComparison.Ordinal);
    }

    [RelayFact]
    public void OurOwnDaemonIsTheMxThatDeliversTheMail()
    {
        using var w = new RelayWorld(Zone);
        string inbox = Path.Combine(w.Dir, "inbox");
        Directory.CreateDirectory(inbox);
        var user = Smtpd.Interop.Posix.GetPwNam(RelayWorld.TestUser)!;
        Binary.Run("chown", [$"{user.Uid}:{user.Gid}", inbox]);
        using var mx = Daemon.Start(
            $"listen on 127.0.0.40 port 25\naction \"in\" maildir \"{inbox}\" virtual {{ \"@own.test\" = \"{RelayWorld.TestUser}\" }}\nmatch from any for domain \"own.test\" action \"in\"\n",
            netns: w.Ns).WaitReady();
        using var daemon = w.Start("relay");
        w.Send(daemon, Sender, ["anyone@own.test"], Message("to our own mx", "from one smtpd to another\r\n"));
        Wait.Until(() => Directory.Exists(Path.Combine(inbox, "new")) && Directory.GetFiles(Path.Combine(inbox, "new")).Length == 1
            && daemon.Log.Contains("result=\"Ok\"", StringComparison.Ordinal), () => "the receiving daemon delivers it:\n" + daemon.Log + "\n" + mx.Log);
        string delivered = File.ReadAllText(Directory.GetFiles(Path.Combine(inbox, "new"))[0]);
        Assert.Contains("from one smtpd to another", delivered, StringComparison.Ordinal);
        Assert.Contains("relay=\"127.0.0.40 (mx.own.test)\"", daemon.Log, StringComparison.Ordinal);
        Assert.Contains("smtp connected address=127.0.0.1", mx.Log, StringComparison.Ordinal);
    }

    [RelayFact]
    public void StartTlsIsUsedWhenThePeerOffersItWithoutCheckingItsCertificate()
    {
        var pki = TestPki.Create();
        var (cert, key) = pki.Issue("mx-c", names: "mx-c.example.test");
        using var w = new RelayWorld(Zone);
        var c = w.Peer("c", "127.0.0.13", new JsonObject { ["cert"] = cert, ["key"] = key });
        using var daemon = w.Start("relay");
        w.Send(daemon, Sender, ["alice@example.test"], Message("opportunistic", "hi\r\n"));
        Wait.Until(() => c.Messages().Count == 1, () => "the message is relayed:\n" + daemon.Log);
        Assert.All(c.Transcript().Where(e => e["line"] is not null).SkipWhile(e => (string)e["line"]! != "STARTTLS").Skip(1), e => Assert.True((bool)e["tls"]!));
        Assert.Contains(c.Commands(), l => l.StartsWith("MAIL", StringComparison.Ordinal));
        Assert.Contains("mta connecting address=smtp://127.0.0.13:25 host=mx-c.example.test", daemon.Log, StringComparison.Ordinal);
        Assert.Matches(@"[0-9a-f]{16} mta tls ciphers=TLSv1\.[23]:\S+:\d+", daemon.Log);
        Assert.Matches(@"[0-9a-f]{16} mta cert-check result=""unverified"" fingerprint=""\S+""", daemon.Log);
    }

    [RelayFact]
    public void RequiredTlsVerifiesThePeersCertificateUnlessToldNotTo()
    {
        var pki = TestPki.Create();
        var (good, goodKey) = pki.Issue("mx-c", names: "mx-c.example.test");
        var (wrong, wrongKey) = pki.Issue("wrong", names: "somewhere-else.test");
        using var w = new RelayWorld(Zone);
        var c = w.Peer("c", "127.0.0.13", new JsonObject { ["cert"] = good, ["key"] = goodKey });
        var d = w.Peer("d", "127.0.0.14", new JsonObject { ["cert"] = wrong, ["key"] = wrongKey });
        var e = w.Peer("e", "127.0.0.15", new JsonObject { ["cert"] = wrong, ["key"] = wrongKey });
        using var daemon = w.Start("relay host smtp+tls://mx-c.example.test ca testca", $"""
            ca testca cert "{pki.CaCert}"
            action "bad" relay host smtp+tls://mx-d.example.test ca testca
            action "lax" relay host smtp+tls://mx-e.example.test tls no-verify
            match from local for domain "bad.test" action "bad"
            match from local for domain "lax.test" action "lax"

            """);
        w.Send(daemon, Sender, ["good@good.test"], Message("verified", "hi\r\n"));
        w.Send(daemon, Sender, ["bad@bad.test"], Message("wrong name", "hi\r\n"));
        w.Send(daemon, Sender, ["lax@lax.test"], Message("no-verify", "hi\r\n"));
        Wait.Until(() => c.Messages().Count == 1 && e.Messages().Count == 1 && daemon.Log.Contains("result=\"TempFail\"", StringComparison.Ordinal),
            () => "the verified and the no-verify relays get theirs, the wrong name is deferred:\n" + daemon.Log);
        Assert.Matches(@"mta cert-check result=""valid""", daemon.Log);
        Assert.Matches(@"to=<bad@bad\.test> .* result=""TempFail"" stat=""TLS handshake failed: ", daemon.Log);
        Assert.DoesNotContain(d.Commands(), l => l.StartsWith("MAIL", StringComparison.Ordinal) || l.StartsWith("RCPT", StringComparison.Ordinal));
        Assert.Empty(d.Messages());
        Assert.Empty(w.Reports());
        Assert.Contains("bad@bad.test", daemon.Ctl("show", "queue").Out, StringComparison.Ordinal);
    }

    [RelayFact]
    public void SmtpsRelayWithCredentialsAuthenticatesOverTls()
    {
        var pki = TestPki.Create();
        var (cert, key) = pki.Issue("mx-e", names: "mx-e.example.test");
        using var w = new RelayWorld(Zone);
        var e = w.Peer("e", "127.0.0.15", new JsonObject { ["cert"] = cert, ["key"] = key, ["smtps"] = true }, port: 4650);
        using var daemon = w.Start("relay host smtps://submit@mx-e.example.test:4650 auth <creds> ca testca", $"""
            ca testca cert "{pki.CaCert}"
            table creds {"{"} submit = "alice:s3cret" {"}"}

            """);
        w.Send(daemon, Sender, ["far@elsewhere.test"], Message("authenticated", "hi\r\n"));
        Wait.Until(() => e.Messages().Count == 1, () => "the relay takes the message:\n" + daemon.Log);
        Assert.Contains(e.Transcript(), x => (string?)x["auth"] == "alice:s3cret");
        Assert.All(e.Transcript().Where(x => x["line"] is not null), x => Assert.True((bool)x["tls"]!));
        Assert.Contains("mta connecting address=smtps://127.0.0.15:4650 host=mx-e.example.test", daemon.Log, StringComparison.Ordinal);
        Assert.Matches(@"mta cert-check result=""valid""", daemon.Log);
    }

    [RelayFact]
    public void ADnsFailureDefersAndBouncesNothing()
    {
        using var w = new RelayWorld(Zone);
        using var daemon = w.Start("relay");
        // Outside the test zone unbound has nowhere to ask (the namespace has no route): SERVFAIL.
        w.Send(daemon, Sender, ["someone@unreachable.example"], Message("servfail", "hi\r\n"));
        Wait.Until(() => daemon.Log.Contains("result=\"TempFail\"", StringComparison.Ordinal), () => "the lookup failure defers the message:\n" + daemon.Log, TimeSpan.FromSeconds(40));
        Assert.Contains("smtp-out: Failed to resolve MX for unreachable.example: Temporary failure in MX lookup", daemon.Log, StringComparison.Ordinal);
        Assert.Empty(w.Reports());
        Assert.Contains("someone@unreachable.example", daemon.Ctl("show", "queue").Out, StringComparison.Ordinal);
    }

    [RelayFact]
    public void ABackupMxOnlyHandsMailToBetterExchangers()
    {
        using var w = new RelayWorld(Zone);
        // This host is mx-b (preference 20): only mx-a (10, refusing) may take the mail; mx-c and mx-d never.
        var c = w.Peer("c", "127.0.0.13");
        var d = w.Peer("d", "127.0.0.14");
        using var daemon = w.Start("relay backup mx \"mx-b.example.test\"");
        w.Send(daemon, Sender, ["alice@example.test"], Message("backup", "hi\r\n"));
        Wait.Until(() => daemon.Log.Contains("result=\"TempFail\"", StringComparison.Ordinal), () => "the delivery waits for mx-a:\n" + daemon.Log);
        Assert.Contains("mta connecting address=smtp://127.0.0.11:25 host=mx-a.example.test", daemon.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.12:25", daemon.Log, StringComparison.Ordinal);
        Assert.Empty(c.Commands());
        Assert.Empty(d.Commands());
        Assert.Empty(w.Reports());
    }

    [RelayFact]
    public void ADomainMapSendsListedDomainsToTheirRelayAndOthersToTheirExchangers()
    {
        using var w = new RelayWorld(Zone);
        var relay = w.Peer("relay", "127.0.0.30", port: 2526);
        var c = w.Peer("c", "127.0.0.13");
        using var daemon = w.Start("relay domain { \"elsewhere.test\" = \"smtp+notls://relay.test:2526\" }");
        w.Send(daemon, Sender, ["far@elsewhere.test", "near@example.test"], Message("by domain", "hi\r\n"));
        Wait.Until(() => relay.Messages().Count == 1 && c.Messages().Count == 1, () => "each domain goes its way:\n" + daemon.Log);
        Assert.Contains("RCPT TO:<far@elsewhere.test>", relay.Commands());
        Assert.DoesNotContain("RCPT TO:<near@example.test>", relay.Commands());
        Assert.Contains("RCPT TO:<near@example.test>", c.Commands());
    }

    [RelayFact]
    public void ALegacyRelayViaSmtpUrlIsPlaintextAsItWasBefore64()
    {
        var pki = TestPki.Create();
        var (cert, key) = pki.Issue("relay", names: "relay.test");
        using var w = new RelayWorld(Zone);
        // The peer offers STARTTLS, but the old smtp:// meant no TLS (today's smtp+notls://).
        var relay = w.Peer("relay", "127.0.0.30", new JsonObject { ["cert"] = cert, ["key"] = key }, port: 2526);
        using var daemon = w.StartWith("listen on 127.0.0.1 port {PORT}\naccept from local for any relay via smtp://relay.test:2526\n");
        w.Send(daemon, Sender, ["far@elsewhere.test"], Message("legacy", "hi\r\n"));
        Wait.Until(() => relay.Messages().Count == 1, () => "the relay gets the message:\n" + daemon.Log);
        Assert.DoesNotContain("STARTTLS", relay.Commands());
        Assert.Contains("mta connecting address=smtp+notls://127.0.0.30:2526 host=relay.test", daemon.Log, StringComparison.Ordinal);
    }

    [RelayFact]
    public void ASuccessNoticeIsLeftToAPeerThatSpeaksDsnAndSentAsRelayedForOneThatDoesNot()
    {
        using var w = new RelayWorld(Zone);
        var c = w.Peer("c", "127.0.0.13", new JsonObject { ["name"] = "mx-c.example.test" });
        var old = w.Peer("old", "127.0.0.30", new JsonObject { ["caps"] = new JsonArray("PIPELINING") }, port: 2526);
        using var daemon = w.Start("relay domain { \"nodsn.test\" = \"smtp+notls://relay.test:2526\" }");
        w.Send(daemon, Sender, ["dsn@example.test"], Message("dsn peer", "hi\r\n"), "NOTIFY=SUCCESS,FAILURE");
        w.Send(daemon, Sender, ["legacy@nodsn.test"], Message("no dsn peer", "hi\r\n"), "NOTIFY=SUCCESS,FAILURE");
        Wait.Until(() => c.Messages().Count == 1 && old.Messages().Count == 1 && w.Reports().Count == 1, () => "both are relayed and one report comes back:\n" + daemon.Log);
        Assert.Contains("RCPT TO:<dsn@example.test> NOTIFY=SUCCESS,FAILURE", c.Commands());
        Assert.Contains("RCPT TO:<legacy@nodsn.test>", old.Commands());
        Thread.Sleep(1000);
        string report = Regex.Replace(Assert.Single(w.Reports()), @"\r?\n[ \t]+", " ");
        Assert.Contains("Subject: Delivery status notification: relayed", report, StringComparison.Ordinal);
        Assert.Contains("Final-Recipient: rfc822; legacy@nodsn.test", report, StringComparison.Ordinal);
        Assert.Contains("Action: relayed", report, StringComparison.Ordinal);
        Assert.Contains("Status: 2.0.0", report, StringComparison.Ordinal);
        Assert.Contains("Remote-MTA: dns; relay.test", report, StringComparison.Ordinal);
        Assert.DoesNotContain("dsn@example.test", report, StringComparison.Ordinal);
    }
}
