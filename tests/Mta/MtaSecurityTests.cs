using Smtpd.Config;
using Smtpd.Ipc.Messages;
using Smtpd.Mta;

namespace Smtpd.Tests.Mta;

public class MtaSecurityTests
{
    private const string Policy = "version: STSv1\nmode: enforce\nmx: mx1.example.org\nmax_age: 86400\n";

    private static SmtpdConfig Load(string text)
    {
        var result = ConfigLoader.LoadFromString(text + "match from local for any action \"out\"\n", "s.conf");
        Assert.True(result.Success, string.Join('\n', result.Errors));
        return result.Config!;
    }

    private sealed class World
    {
        public string StsId = "one";
        public MtaSecurityStatus StsStatus = MtaSecurityStatus.Found;
        public string Body = Policy;
        public int Fetches;
        public MtaTlsaReply Tlsa = new(0, MtaSecurityStatus.None, []);

        public MtaSecurity Security(SmtpdConfig config) => new(config,
            _ => Task.FromResult(Tlsa),
            q => Task.FromResult(new MtaStsReply(q.ReqId, StsStatus, StsId, ["192.0.2.80"])),
            q => Task.FromResult(new MtaFingerprintReply(q.ReqId, MtaSecurityStatus.None)),
            (_, _, _) =>
            {
                Fetches++;
                return Task.FromResult<(string?, string)>((Body, string.Empty));
            });
    }

    private static MtaRouteReply Route => new(0, MtaRouteStatus.Ok, string.Empty, MtaScheme.Smtp, 25, false, "", "", "", "", "", []);

    private static MtaHost Host(string name) => new(10, name, ["192.0.2.25"]);

    [Fact]
    public async Task APolicyIsFetchedOnceKeptWhileItsIdStaysAndFetchedAgainWhenTheIdChanges()
    {
        var w = new World();
        var s = w.Security(Load("action \"out\" relay mta-sts\n"));
        Assert.Equal(MtaStsMode.Enforce, (await s.StsPolicyAsync("out", "example.org"))?.Mode);
        Assert.NotNull(await s.StsPolicyAsync("out", "example.org"));
        Assert.Equal(1, w.Fetches);

        w.StsId = "two";
        w.Body = Policy.Replace("enforce", "testing", StringComparison.Ordinal);
        Assert.Equal(MtaStsMode.Testing, (await s.StsPolicyAsync("out", "example.org"))?.Mode);
        Assert.Equal(2, w.Fetches);

        // The record gone: the cached policy stays in force until its max_age.
        w.StsStatus = MtaSecurityStatus.None;
        Assert.Equal(MtaStsMode.Testing, (await s.StsPolicyAsync("out", "example.org"))?.Mode);
        Assert.Equal(2, w.Fetches);
    }

    [Fact]
    public async Task WithoutMtaStsOnTheActionOrGloballyNoPolicyIsAskedFor()
    {
        var w = new World();
        Assert.Null(await w.Security(Load("action \"out\" relay\n")).StsPolicyAsync("out", "example.org"));
        Assert.Null(await w.Security(Load("action \"out\" relay host smtp://relay.example.org\n")).StsPolicyAsync("out", "example.org"));
        Assert.NotNull(await w.Security(Load("mta mta-sts\naction \"out\" relay\n")).StsPolicyAsync("out", "example.org"));
        Assert.Equal(1, w.Fetches);
    }

    [Fact]
    public async Task AnEnforcedPolicyRefusesUnnamedMxHostsAndRequiresVerifiedTlsWithTheOthers()
    {
        var w = new World();
        var s = w.Security(Load("action \"out\" relay mta-sts\n"));
        var policy = await s.StsPolicyAsync("out", "example.org");
        var (named, _) = await s.ForHostAsync("out", Route, Host("mx1.example.org"), policy);
        Assert.Equal(MtaTlsLevel.StsEnforce, named!.Level);
        Assert.True(named.Required);
        var (other, why) = await s.ForHostAsync("out", Route, Host("mx2.example.org"), policy);
        Assert.Null(other);
        Assert.Equal("MX mx2.example.org is not permitted by the MTA-STS policy", why);
    }

    [Fact]
    public async Task DaneTakesValidatedUsableRecordsRequiresTlsWithOnlyUnusableOnesAndDefersWhenTheLookupFails()
    {
        var w = new World();
        var s = w.Security(Load("action \"out\" relay tls dane mta-sts\n"));
        w.Tlsa = new(0, MtaSecurityStatus.Found, [new MtaTlsa(3, 1, 1, new byte[32]), new MtaTlsa(1, 1, 1, new byte[32]), new MtaTlsa(2, 0, 9, new byte[32])]);
        var policy = await s.StsPolicyAsync("out", "example.org");
        // DANE comes first, even for an MX the MTA-STS policy does not name.
        var (dane, _) = await s.ForHostAsync("out", Route, Host("mx2.example.org"), policy);
        Assert.Equal(MtaTlsLevel.Dane, dane!.Level);
        Assert.Equal(3, Assert.Single(dane.Tlsa).Usage);

        w.Tlsa = new(0, MtaSecurityStatus.Found, [new MtaTlsa(0, 1, 1, new byte[32])]);
        Assert.Equal(MtaTlsLevel.Encrypt, (await s.ForHostAsync("out", Route, Host("mx1.example.org"), null)).Tls!.Level);

        w.Tlsa = new(0, MtaSecurityStatus.TempFail, []);
        var (none, why) = await s.ForHostAsync("out", Route, Host("mx1.example.org"), null);
        Assert.Null(none);
        Assert.Equal("TLSA lookup failed for mx1.example.org", why);

        w.Tlsa = new(0, MtaSecurityStatus.None, []);
        Assert.Equal(MtaTlsLevel.Route, (await s.ForHostAsync("out", Route, Host("mx1.example.org"), null)).Tls!.Level);
    }

    [Fact]
    public async Task DaneIsAskedForOnlyWhereConfiguredAndNeverForPlaintextOrLmtpRoutes()
    {
        var w = new World { Tlsa = new(0, MtaSecurityStatus.Found, [new MtaTlsa(3, 1, 1, new byte[32])]) };
        Assert.Equal(MtaTlsLevel.Route, (await w.Security(Load("action \"out\" relay\n")).ForHostAsync("out", Route, Host("mx.example.org"), null)).Tls!.Level);
        var global = w.Security(Load("mta tls dane\naction \"out\" relay\n"));
        Assert.Equal(MtaTlsLevel.Dane, (await global.ForHostAsync("out", Route, Host("mx.example.org"), null)).Tls!.Level);
        Assert.Equal(MtaTlsLevel.Route, (await global.ForHostAsync("out", Route with { Scheme = MtaScheme.SmtpNoTls }, Host("mx.example.org"), null)).Tls!.Level);
        // An action with a tls option of its own keeps it.
        var own = w.Security(Load("mta tls dane\naction \"out\" relay tls no-verify\n"));
        Assert.Equal(MtaTlsLevel.Route, (await own.ForHostAsync("out", Route with { Scheme = MtaScheme.SmtpTls }, Host("mx.example.org"), null)).Tls!.Level);
        var pinned = w.Security(Load("action \"out\" relay host smtp://mx.example.org tls fingerprint { \"SHA256:00\" }\n"));
        Assert.Equal(MtaTlsLevel.Fingerprint, (await pinned.ForHostAsync("out", Route with { Scheme = MtaScheme.SmtpTls }, Host("mx.example.org"), null)).Tls!.Level);
    }
}
