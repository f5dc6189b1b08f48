// The route of a relay action's mail to a domain, as the mta asks for it: the relay host (from
// `host`, or `domain` per destination) or the domain's MX hosts by RFC 5321 section 5 (lowest
// preference first, equal preferences shuffled, the domain itself when it has no MX, a null MX
// refused at once, `backup` keeping only hosts better than this one), each with every A and AAAA
// address; and what the relay uses to speak: credentials for the URL's label, helo, source.
// DNS answers decide permanence: no such domain and a null MX are permanent, SERVFAIL and
// timeouts temporary, as in OpenSMTPD's mta_on_mx().
// Behaviour reference: usr.sbin/smtpd/mta.c (mta_relay, mta_on_mx), dns.c, lka.c (IMSG_MTA_LOOKUP_*).
using System.Net;
using Smtpd.Config;
using Smtpd.Dns;
using Smtpd.Ipc.Messages;
using Smtpd.Tables;

namespace Smtpd.Lka;

internal sealed class LkaMtaRoute
{
    private readonly SmtpdConfig _config;
    private readonly TableSet _tables;
    private readonly DnsLookups _dns;

    public LkaMtaRoute(SmtpdConfig config, TableSet tables, DnsLookups dns)
    {
        _config = config;
        _tables = tables;
        _dns = dns;
    }

    public async Task<MtaRouteReply> LookupAsync(MtaRouteLookup req)
    {
        var action = _config.Actions.FirstOrDefault(a => a.Name == req.Dispatcher && a.IsRelay);
        if (action is null)
        {
            return MtaRouteReply.Fail(req.ReqId, MtaRouteStatus.PermFail, $"no relay action \"{req.Dispatcher}\"");
        }

        string? url = null;
        if (action.Domain is not null)
        {
            var (r, value) = _tables.Resolve(action.Domain).Lookup(TableService.Relayhost, req.Domain);
            if (r == MatchResult.TempFail)
            {
                return MtaRouteReply.Fail(req.ReqId, MtaRouteStatus.TempFail, "Temporary failure in relay host lookup");
            }

            url = r == MatchResult.Match ? value ?? string.Empty : null;
        }
        else if (action.Host is not null)
        {
            url = Fetch(action.Host);
            if (url is null)
            {
                return MtaRouteReply.Fail(req.ReqId, MtaRouteStatus.TempFail, "Temporary failure in relay host lookup");
            }
        }

        var scheme = MtaScheme.Smtp;
        int port = 25;
        string label = string.Empty;
        List<MtaHost> hosts;
        if (url is not null)
        {
            if (RelayUrl.Parse(url) is not { } parsed || parsed.Port == 0)
            {
                return MtaRouteReply.Fail(req.ReqId, MtaRouteStatus.PermFail, $"invalid relay host \"{url}\"");
            }

            scheme = SchemeOf(parsed.Scheme);
            port = parsed.Port;
            label = parsed.Label;
            var (status, addrs) = await HostAddressesAsync(parsed.Host);
            if (addrs.Count == 0)
            {
                return MtaRouteReply.Fail(req.ReqId, status == DnsStatus.TempFail ? MtaRouteStatus.TempFail : MtaRouteStatus.PermFail,
                    status == DnsStatus.TempFail ? "Temporary failure in relay host lookup" : $"Relay host {parsed.Host} not found");
            }

            hosts = [new MtaHost(0, parsed.Host.ToLowerInvariant(), [.. addrs.Select(a => a.ToString())])];
        }
        else
        {
            var (fail, mx) = await MxHostsAsync(req, action);
            if (fail is not null)
            {
                return fail.Value;
            }

            hosts = mx;
        }

        // The action's `tls` makes TLS mandatory (and verified unless no-verify), as smtp+tls does;
        // `tls dane` leaves it opportunistic where no TLSA record says otherwise (the mta asks);
        // `tls fingerprint` takes the certificate by its fingerprint, not by a CA (the mta checks).
        if (action.Tls is RelayTls.Required or RelayTls.RequiredNoVerify or RelayTls.Fingerprint && scheme == MtaScheme.Smtp)
        {
            scheme = MtaScheme.SmtpTls;
        }

        bool verify = scheme is MtaScheme.SmtpTls or MtaScheme.Smtps && action.Tls is not (RelayTls.RequiredNoVerify or RelayTls.Fingerprint);

        string user = string.Empty, password = string.Empty;
        if (label.Length > 0 && action.Auth is not null)
        {
            var (r, value) = _tables.Resolve(action.Auth).Lookup(TableService.Credentials, label);
            var creds = r == MatchResult.Match && value is not null ? Credentials.Parse(label, value) : null;
            if (creds is null)
            {
                return MtaRouteReply.Fail(req.ReqId, MtaRouteStatus.TempFail, r == MatchResult.TempFail
                    ? "Temporary failure in credentials lookup"
                    : $"No credentials for label \"{label}\"");
            }

            (user, password) = (creds.Username, creds.Password);
        }

        string source = action.Src is not null ? Fetch(action.Src) ?? string.Empty : string.Empty;
        string helo = action.Helo ?? string.Empty;
        if (action.HeloSrc is not null && source.Length > 0)
        {
            var (r, value) = _tables.Resolve(action.HeloSrc).Lookup(TableService.Addrname, source);
            if (r == MatchResult.Match && value is not null)
            {
                helo = value;
            }
        }

        return new MtaRouteReply(req.ReqId, MtaRouteStatus.Ok, string.Empty, scheme, port, verify, user, password, helo,
            source.Trim('[', ']'), action.MailFrom ?? string.Empty, [.. hosts]);
    }

    private async Task<(MtaRouteReply? Fail, List<MtaHost> Hosts)> MxHostsAsync(MtaRouteLookup req, ActionDef action)
    {
        var (status, exchangers) = await _dns.MxAsync(req.Domain);
        switch (status)
        {
            case DnsStatus.TempFail:
                return (MtaRouteReply.Fail(req.ReqId, MtaRouteStatus.TempFail, "Temporary failure in MX lookup"), []);
            case DnsStatus.NxDomain:
                return (MtaRouteReply.Fail(req.ReqId, MtaRouteStatus.PermFail, "Domain does not exist"), []);
            case DnsStatus.NoData:
                // RFC 7505: a null MX says the domain takes no mail at all.
                return (MtaRouteReply.Fail(req.ReqId, MtaRouteStatus.PermFail, "Domain does not accept mail (null MX)"), []);
        }

        if (action.Backup)
        {
            // A backup MX hands mail only to hosts better than itself (RFC 5321 section 5.1).
            string self = (action.BackupMx ?? req.SmtpName).TrimEnd('.');
            int? mine = null; // (a loop: LINQ to a struct result costs idle memory, see smtpd.csproj)
            foreach (var x in exchangers)
            {
                if (string.Equals(x.Host, self, StringComparison.OrdinalIgnoreCase) && (mine is null || x.Preference < mine))
                {
                    mine = x.Preference;
                }
            }

            if (mine is int p)
            {
                exchangers = exchangers.Where(x => x.Preference < p).ToList();
            }

            if (exchangers.Count == 0)
            {
                return (MtaRouteReply.Fail(req.ReqId, MtaRouteStatus.TempFail, "No MX found with a preference lower than this backup's"), []);
            }
        }

        var hosts = new List<MtaHost>();
        bool tempFailed = false;
        var lookups = exchangers.Select(x => HostAddressesAsync(x.Host)).ToList();
        await Task.WhenAll(lookups);
        for (int i = 0; i < exchangers.Count; i++)
        {
            var (hs, addrs) = lookups[i].Result;
            tempFailed |= hs == DnsStatus.TempFail;
            if (addrs.Count > 0)
            {
                hosts.Add(new MtaHost(exchangers[i].Preference, exchangers[i].Host, [.. addrs.Select(a => a.ToString())]));
            }
        }

        if (hosts.Count == 0)
        {
            return (MtaRouteReply.Fail(req.ReqId, MtaRouteStatus.TempFail, tempFailed ? "Temporary failure in MX lookup" : "No MX found for domain"), []);
        }

        // Equal preferences in random order, so that the load spreads (RFC 5321 section 5.1).
        var ordered = hosts.GroupBy(h => h.Preference).OrderBy(g => g.Key).SelectMany(g => g.OrderBy(_ => Random.Shared.Next())).ToList();
        return (null, ordered);
    }

    private async Task<(DnsStatus Status, List<IPAddress> Addresses)> HostAddressesAsync(string host)
    {
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            return (DnsStatus.Ok, [literal]);
        }

        return await _dns.AddressesAsync(host);
    }

    /// <summary>One entry of a list table (a relay host, a source address), picked at random as OpenSMTPD's table_fetch does in turn.</summary>
    private string? Fetch(TableRef table)
    {
        if (_tables.Resolve(table) is StaticTable { Count: > 0 } list)
        {
            return list.Keys[Random.Shared.Next(list.Count)];
        }

        return null;
    }

    private static MtaScheme SchemeOf(string scheme) => scheme switch
    {
        "smtp+tls" => MtaScheme.SmtpTls,
        "smtp+notls" => MtaScheme.SmtpNoTls,
        "smtps" => MtaScheme.Smtps,
        "lmtp" => MtaScheme.Lmtp,
        _ => MtaScheme.Smtp,
    };
}
