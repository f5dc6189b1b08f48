// Which TLS a relay gets beyond its scheme, host by host (smtpd.conf.5, our extensions):
// `tls fingerprint <table>` pins the peers' certificates; with `tls dane` (or `mta tls dane`) an
// MX host with DNSSEC-validated TLSA records gets TLS that is required and checked against them
// (DANE-TA and DANE-EE; PKIX-TA and PKIX-EE are unusable for SMTP, RFC 7672 section 3.1.3), no
// records leave TLS opportunistic, a failed lookup defers; with `mta-sts` (or `mta mta-sts`) an
// MX domain's MTA-STS policy is fetched, cached for its max_age and refreshed when its id
// changes, and enforced: only the MX hosts it names, TLS required and verified for the MX name
// (testing mode: checked and logged only). DANE comes first where a host has TLSA records (RFC
// 8461 section 2).
using Smtpd.Config;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;
using Smtpd.Tls;

namespace Smtpd.Mta;

internal sealed class MtaSecurity
{
    private readonly SmtpdConfig _config;
    private readonly Func<MtaTlsaLookup, Task<MtaTlsaReply>> _tlsa;
    private readonly Func<MtaStsLookup, Task<MtaStsReply>> _sts;
    private readonly Func<MtaFingerprintCheck, Task<MtaFingerprintReply>> _pinned;
    private readonly MtaStsFetcher? _fetcher;

    // Policies by domain, in memory: (policy, the record id it came with, when it expires).
    private readonly Dictionary<string, (MtaStsPolicy Policy, string Id, DateTimeOffset Expires)> _policies = new(StringComparer.Ordinal);

    public MtaSecurity(SmtpdConfig config, Func<MtaTlsaLookup, Task<MtaTlsaReply>> tlsa, Func<MtaStsLookup, Task<MtaStsReply>> sts,
        Func<MtaFingerprintCheck, Task<MtaFingerprintReply>> pinned, MtaStsFetcher? fetcher)
    {
        _config = config;
        _tlsa = tlsa;
        _sts = sts;
        _pinned = pinned;
        _fetcher = fetcher;
    }

    private ActionDef? Action(string name) => _config.Actions.FirstOrDefault(a => a.Name == name && a.IsRelay);

    /// <summary>The action relays to the destination's MX hosts (not to a relay host).</summary>
    private static bool ToMx(ActionDef a) => a.Host is null && a.Domain is null;

    /// <summary>The MTA-STS policy that applies to relay action <paramref name="action"/>'s mail to <paramref name="domain"/>, or null.</summary>
    public async Task<MtaStsPolicy?> StsPolicyAsync(string action, string domain)
    {
        var a = Action(action);
        if (a is null || !ToMx(a) || !(a.MtaSts || _config.MtaSts) || _fetcher is null)
        {
            return null;
        }

        var now = DateTimeOffset.UtcNow;
        MtaStsPolicy? cached = null;
        string? cachedId = null;
        if (_policies.TryGetValue(domain, out var c))
        {
            if (c.Expires > now)
            {
                (cached, cachedId) = (c.Policy, c.Id);
            }
            else
            {
                _policies.Remove(domain);
            }
        }

        var record = await _sts(new MtaStsLookup(0, domain));
        if (record.Status != MtaSecurityStatus.Found || record.Id == cachedId)
        {
            // No record (or no answer) leaves a cached policy in force until it expires (RFC 8461 section 5.1).
            return cached;
        }

        var (body, error) = await _fetcher.FetchAsync(action, domain, record.Addresses);
        MtaStsPolicy? policy = body is null ? null : MtaStsPolicy.Parse(body, out error);
        if (policy is null)
        {
            Log.Info($"mta-sts: policy of {domain} (id={record.Id}) not fetched: {error}");
            return cached;
        }

        Log.Info($"mta-sts: policy of {domain} id={record.Id} mode={policy.ModeText} max_age={policy.MaxAge} mx={string.Join(',', policy.Mx)}");
        _policies[domain] = (policy, record.Id, now.AddSeconds(policy.MaxAge));
        return policy;
    }

    /// <summary>How TLS is to be done with <paramref name="host"/>; null with the reason when the host must not be used now.</summary>
    public async Task<(MtaHostTls? Tls, string Error)> ForHostAsync(string action, MtaRouteReply route, MtaHost host, MtaStsPolicy? sts)
    {
        var a = Action(action);
        if (a is null || route.Scheme is MtaScheme.SmtpNoTls or MtaScheme.Lmtp)
        {
            return (MtaHostTls.AsRouteSays, string.Empty);
        }

        if (a.Tls == RelayTls.Fingerprint)
        {
            return (new MtaHostTls(MtaTlsLevel.Fingerprint, []), string.Empty);
        }

        bool dane = a.Tls == RelayTls.Dane || (_config.MtaDane && a.Tls == RelayTls.Default);
        if (dane && route.Scheme != MtaScheme.Smtps && !System.Net.IPAddress.TryParse(host.Name.Trim('[', ']'), out _))
        {
            var reply = await _tlsa(new MtaTlsaLookup(0, host.Name, route.Port));
            switch (reply.Status)
            {
                case MtaSecurityStatus.TempFail:
                    return (null, $"TLSA lookup failed for {host.Name}");
                case MtaSecurityStatus.Found:
                    // PKIX-TA(0) and PKIX-EE(1) are not for SMTP (RFC 7672 section 3.1.3); unknown parameters are unusable too.
                    var usable = reply.Records.Where(t => t.Usage is 2 or 3 && t.Selector is 0 or 1 && t.MatchingType is 0 or 1 or 2)
                        .Select(t => new TlsaRecord(t.Usage, t.Selector, t.MatchingType, t.Data)).ToList();
                    return (usable.Count > 0 ? new MtaHostTls(MtaTlsLevel.Dane, usable) : new MtaHostTls(MtaTlsLevel.Encrypt, []), string.Empty);
            }
        }

        if (sts is not null && sts.Mode != MtaStsMode.None)
        {
            if (!sts.Permits(host.Name))
            {
                if (sts.Mode == MtaStsMode.Enforce)
                {
                    return (null, $"MX {host.Name} is not permitted by the MTA-STS policy");
                }

                Log.Info($"mta-sts: MX {host.Name} is not permitted by the policy (testing mode, delivering anyway)");
            }

            return (new MtaHostTls(sts.Mode == MtaStsMode.Enforce ? MtaTlsLevel.StsEnforce : MtaTlsLevel.StsTesting, []), string.Empty);
        }

        return (MtaHostTls.AsRouteSays, string.Empty);
    }

    /// <summary>Whether relay action <paramref name="action"/> pins <paramref name="fingerprint"/>.</summary>
    public async Task<MtaSecurityStatus> PinnedAsync(string action, string fingerprint) =>
        (await _pinned(new MtaFingerprintCheck(0, action, fingerprint))).Status;
}
