// Features that are read but do not work yet are never silently inert: `smtpd -n` and the
// start-up log name each with file:line. A listener with auth offers AUTH only once the
// channel is secure: in the clear it refuses AUTH as OpenSMTPD does on a listener without it,
// and still refuses mail that is required to come authenticated.
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class NotSupportedYetTests
{
    private const string NotSupported = "503 5.5.1 Invalid command: Command not supported";

    public NotSupportedYetTests()
    {
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
        }
    }

    /// <summary>A real certificate and key (TLS works; auth needs a TLS listener).</summary>
    private static readonly string Pki = TestPki.Create().PkiLine("x");

    // {LISTEN} is the listener's address and port.
    private static string ConfigOn(string listen) =>
        Pki
        + "filter \"f\" phase connect match !rdns disconnect \"550 no rDNS\"\n"
        + "srs key \"secret\"\n"
        + $"listen on {listen} tls pki x auth filter \"f\" proxy-v2\n"
        + "action \"local\" maildir\n"
        + "action \"out\" relay srs\n"
        + "match from any for local action \"local\"\n"
        + "match from local for any action \"out\"\n";

    private static string[] WarningsFor(string conf, string listener) =>
    [
        $"warn: {conf}:4: listen on {listener} proxy-v2: not supported yet",
    ];

    [EndToEndFact]
    public void NoActionWarnsOncePerUnsupportedFeatureWithFileAndLineAndStillSucceeds()
    {
        string conf = Path.GetTempFileName();
        try
        {
            File.WriteAllText(conf, ConfigOn("lo"));
            var r = Binary.Run(Binary.Require(), ["-n", "-f", conf]);
            Assert.Equal(0, r.Code);
            Assert.Equal(string.Join("\n", [.. WarningsFor(conf, "lo"), "configuration OK"]) + "\n", r.Err);
            Assert.Equal("", r.Out);
        }
        finally
        {
            File.Delete(conf);
        }
    }

    [EndToEndFact]
    public void TheStartUpLogHasTheSameWarningsAndAuthIsNotOfferedInTheClear()
    {
        using var d = Daemon.Start(config: ConfigOn("127.0.0.1 port {PORT}")).WaitReady();
        string conf = Path.Combine(d.Dir, "smtpd.conf");
        var log = d.Log.Split('\n');
        Assert.Equal(WarningsFor(conf, "127.0.0.1"), log.Where(l => l.Contains("not supported yet", StringComparison.Ordinal)));
        Assert.Contains("info: smtpd 0.1.0 starting", log);

        using var client = new SmtpClientHelper(d.Port);
        Assert.StartsWith("220 ", client.Greeting, StringComparison.Ordinal);
        string ehlo = client.Command("EHLO client.example.net");
        Assert.StartsWith("250-", ehlo, StringComparison.Ordinal);
        Assert.DoesNotContain("AUTH", ehlo, StringComparison.Ordinal);
        Assert.Equal(NotSupported, client.Command("AUTH PLAIN AGFsaWNlAHNlY3JldA=="));

        // AUTH is offered only over TLS; auth still means: no mail before authentication.
        Assert.Equal("530 5.5.1 Invalid command: Must issue an AUTH command first", client.Command("MAIL FROM:<alice@example.org>"));
        Assert.StartsWith("221 ", client.Command("QUIT"), StringComparison.Ordinal);
    }
}
