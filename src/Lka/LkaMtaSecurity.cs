// The lookup agent's side of secure transport to peers: an MX host's TLSA records, taken only
// from an answer the validating resolver vouched for (the AD bit with `options trust-ad`, RFC
// 7672 section 2.2); a domain's MTA-STS record (_mta-sts.DOMAIN TXT, RFC 8461 section 3.1) with
// the addresses of mta-sts.DOMAIN, where the mta fetches the policy; and fingerprint pinning,
// the peer certificate's SHA-256 fingerprint looked up in a relay action's table.
using Smtpd.Config;
using Smtpd.Dns;
using Smtpd.Ipc.Messages;
using Smtpd.Tables;

namespace Smtpd.Lka;

internal sealed class LkaMtaSecurity
{
    private readonly SmtpdConfig _config;
    private readonly TableSet _tables;
    private readonly DnsLookups _dns;

    public LkaMtaSecurity(SmtpdConfig config, TableSet tables, DnsLookups dns)
    {
        _config = config;
        _tables = tables;
        _dns = dns;
    }

    public async Task<MtaTlsaReply> TlsaAsync(MtaTlsaLookup req)
    {
        var (status, authenticated, records) = await _dns.TlsaAsync(req.Host, req.Port);
        return status switch
        {
            DnsStatus.TempFail => new MtaTlsaReply(req.ReqId, MtaSecurityStatus.TempFail, []),
            DnsStatus.Ok when authenticated && records.Count > 0 => new MtaTlsaReply(req.ReqId, MtaSecurityStatus.Found,
                [.. records.Select(t => new MtaTlsa(t.Usage, t.Selector, t.MatchingType, t.Data))]),
            _ => new MtaTlsaReply(req.ReqId, MtaSecurityStatus.None, []),
        };
    }

    public async Task<MtaStsReply> StsAsync(MtaStsLookup req)
    {
        string domain = req.Domain.TrimEnd('.');
        var (status, texts) = await _dns.TxtAsync("_mta-sts." + domain);
        if (status == DnsStatus.TempFail)
        {
            return new MtaStsReply(req.ReqId, MtaSecurityStatus.TempFail, string.Empty, []);
        }

        string? id = StsRecordId(texts);
        if (id is null)
        {
            return new MtaStsReply(req.ReqId, MtaSecurityStatus.None, string.Empty, []);
        }

        var (_, addrs) = await _dns.AddressesAsync("mta-sts." + domain);
        return new MtaStsReply(req.ReqId, MtaSecurityStatus.Found, id, [.. addrs.Select(a => a.ToString())]);
    }

    /// <summary>
    /// The id of the one STSv1 record among <paramref name="texts"/> (RFC 8461 section 3.1: fields
    /// "key=value" separated by ';', v=STSv1 first, id of 1 to 32 letters and digits); null when
    /// there is none, several, or a malformed one.
    /// </summary>
    public static string? StsRecordId(IEnumerable<string> texts)
    {
        var sts = texts.Where(t => t.StartsWith("v=STSv1", StringComparison.Ordinal)).ToList();
        if (sts.Count != 1)
        {
            return null;
        }

        string? id = null;
        var fields = sts[0].Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 0 || fields[0] != "v=STSv1")
        {
            return null;
        }

        foreach (var f in fields.Skip(1))
        {
            int eq = f.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && f[..eq] == "id")
            {
                id = f[(eq + 1)..];
            }
        }

        return id is { Length: > 0 and <= 32 } && id.All(char.IsAsciiLetterOrDigit) ? id : null;
    }

    public MtaFingerprintReply Fingerprint(MtaFingerprintCheck req)
    {
        var action = _config.Actions.FirstOrDefault(a => a.Name == req.Action && a.IsRelay);
        if (action?.Fingerprints is not { } table)
        {
            return new MtaFingerprintReply(req.ReqId, MtaSecurityStatus.None);
        }

        var backend = _tables.Resolve(table);
        bool failed = false;
        foreach (var key in CertFingerprintKeys.Of(req.Fingerprint))
        {
            switch (backend.Match(TableService.String, key))
            {
                case MatchResult.Match:
                    return new MtaFingerprintReply(req.ReqId, MtaSecurityStatus.Found);
                case MatchResult.TempFail:
                    failed = true;
                    break;
            }
        }

        return new MtaFingerprintReply(req.ReqId, failed ? MtaSecurityStatus.TempFail : MtaSecurityStatus.None);
    }
}
