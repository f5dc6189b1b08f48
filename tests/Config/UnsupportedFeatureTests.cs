// What is read but not supported yet: each use is one "file:line: what: not supported yet"
// diagnostic, in file order; what works, and unused declarations, give none.
namespace Smtpd.Tests.Config;

using Smtpd.Config;

public sealed class UnsupportedFeatureTests
{
    private const string LocalDelivery = "action \"local\" maildir\nmatch for local action \"local\"\n";

    private static List<string> Unsupported(string text)
    {
        var result = ConfigLoader.LoadFromString(text, "u.conf");
        Assert.True(result.Success, string.Join('\n', result.Errors));
        return [.. ConfigChecker.Unsupported(result.Config!).Select(d => d.ToString())];
    }

    [Fact]
    public void ALocalDeliveryConfigurationHasNothingUnsupported()
    {
        var text = "table aliases { root = alice }\nlisten on lo port 2525 tag t hostname mx.example mask-src no-dsn received-auth\n"
            + "listen on socket\nqueue compression\nqueue ttl 2d\nbounce warn-interval 1h\nsmtp max-message-size 10M\n"
            + "smtp limit max-rcpt 10 max-mails 5\nsmtp sub-addr-delim \"-\"\nmda limit max-session 5 max-session-per-user 2\n"
            + "scheduler limit max-inflight 100\naction \"local\" maildir alias <aliases>\nmatch from any for local action \"local\"\n";
        Assert.Empty(Unsupported(text));
    }

    [Fact]
    public void LegacyGlobalLinesWarnOnTheirOwnLine()
    {
        Assert.Equal(
            ["u.conf:1: mta max-deferred: not supported yet"],
            Unsupported("max-mta-deferred 100\nciphers \"HIGH\"\n" + LocalDelivery));
    }

    [Fact]
    public void EachUnsupportedListenerOptionGetsItsOwnWarningOnTheListenerLine()
    {
        var text = "pki x cert \"/x.crt\" key \"/x.key\"\n"
            + "filter f phase connect match !rdns disconnect \"550 no\"\n"
            + "listen on lo tls pki x auth filter f proxy-v2\n"
            + "listen on eth0 smtps verify pki x auth-optional hostnames { 127.0.0.1 = mx.example } senders { alice = alice@example.org }\n"
            + "listen on eth1 tls-require pki x\n"
            + LocalDelivery;
        Assert.Equal(
            [
                "u.conf:3: listen on lo proxy-v2: not supported yet",
                "u.conf:4: listen on eth0 hostnames: not supported yet",
            ],
            Unsupported(text));
    }

    [Fact]
    public void ListenerFiltersWorkAndOnlyFiltersThatOnlyRelayActionsUseAreReported()
    {
        var text = "filter a phase connect match rdns junk\n"
            + "filter b phase helo match helo { \"x\" } junk\n"
            + "filter unused phase connect match fcrdns junk\n"
            + "filter c chain { a, b }\n"
            + "filter out phase mail-from match auth junk\n"
            + "listen on socket filter c\n"
            + "listen on lo filter { a }\n"
            + "action \"relay\" relay filter out\n"
            + "match from local for domain \"x.example\" action \"relay\"\n"
            + LocalDelivery;
        Assert.Equal(
            [
                "u.conf:5: filter \"out\" on a relay action: not supported yet",
            ],
            Unsupported(text));
    }

    [Fact]
    public void RelayingWithSrsIsSupportedAndNothingIsWarned()
    {
        var text = "srs key \"secret\"\nsrs ttl 5d\n"
            + "action \"out\" relay host smtp+tls://label@mx.example.org tls no-verify helo mx.example srs\n"
            + "action \"plain\" relay host smtps://mx.example.org helo mx.example mail-from \"a@example.org\" ciphers \"HIGH\" protocols \"tlsv1.3\"\n"
            + "action \"mx\" relay backup mx \"mx2.example.org\" src 192.0.2.1\n"
            + "match from local for any action \"out\"\n" + LocalDelivery;
        Assert.Empty(Unsupported(text));
    }

    [Fact]
    public void OptionsNothingReadsAreReportedWithTheirLines()
    {
        var text = "admd \"mx.example\"\n"
            + "mda wrapper \"w\" \"/usr/bin/env %{mda}\"\n"
            + "mda limit max-session 5 task-hiwat 10\n"
            + "mta max-deferred 50\n"
            + "mta limit for domain example.org max-conn-per-host 2 max-conn-per-route 3 session-mail-max 10\n"
            + "scheduler limit max-inflight 10 max-schedule 5\n"
            + "smtp ciphers \"HIGH\"\n"
            + "action \"cmd\" mda \"/bin/cat\" wrapper \"w\" ttl 1d\n"
            + "match from any for any action \"cmd\"\n";
        Assert.Equal(
            [
                "u.conf:1: admd: not supported yet",
                "u.conf:3: mda limit task-hiwat: not supported yet",
                "u.conf:4: mta max-deferred: not supported yet",
                "u.conf:5: mta limit max-conn-per-host: not supported yet",
                "u.conf:6: scheduler limit max-schedule: not supported yet",
                "u.conf:8: action \"cmd\" wrapper \"w\": not supported yet",
            ],
            Unsupported(text));
    }

    [Fact]
    public void RulesTestingTlsOrAuthenticationNoLongerWarn()
    {
        var text = "action \"local\" maildir\n"
            + "match from auth for any action \"local\"\n"
            + "match tls for local action \"local\"\n"
            + "match auth { alice } for local action \"local\"\n"
            + "match !auth for local action \"local\"\n"
            + "match for local action \"local\"\n";
        Assert.Empty(Unsupported(text));
    }

    [Fact]
    public void AWarningInAnIncludedFileNamesThatFile()
    {
        var dir = Directory.CreateTempSubdirectory("smtpd-unsupported-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "relay.conf"), "\nadmd \"mx.example\"\naction \"out\" relay host smtp://mx.example.org\n");
            var main = Path.Combine(dir, "smtpd.conf");
            File.WriteAllText(main, "include \"relay.conf\"\nmatch from local for any action \"out\"\n");
            var result = ConfigLoader.Load(main, new Dictionary<string, string>());
            Assert.True(result.Success, string.Join('\n', result.Errors));
            var warning = Assert.Single(ConfigChecker.Unsupported(result.Config!));
            Assert.Equal((2, "admd: not supported yet"), (warning.Line, warning.Message));
            Assert.EndsWith("relay.conf", warning.File, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
