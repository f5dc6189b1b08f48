// The lookups the MTA makes, on top of the stub resolver: addresses of a host (A and AAAA,
// without AI_ADDRCONFIG filtering — a test network may have loopback only), MX with the RFC 5321
// implicit-MX and RFC 7505 null-MX rules, and reverse DNS with forward confirmation (FCrDNS).
using System.Net;

namespace Smtpd.Dns;

internal sealed class DnsLookups
{
    private readonly DnsResolver _resolver;
    private readonly HostsFile _hosts;

    public DnsLookups(DnsResolver resolver, HostsFile? hosts = null)
    {
        _resolver = resolver;
        _hosts = hosts ?? new HostsFile();
    }

    public async Task<(DnsStatus Status, List<IPAddress> Addresses)> AddressesAsync(string host, CancellationToken cancel = default)
    {
        if (_hosts.AddressesOf(host) is { Count: > 0 } local)
        {
            return (DnsStatus.Ok, [.. local]);
        }

        var v4 = _resolver.QueryAsync(host, DnsType.A, cancel);
        var v6 = _resolver.QueryAsync(host, DnsType.AAAA, cancel);
        var results = await Task.WhenAll(v4, v6);
        var addrs = results.SelectMany(r => r.Records).Where(r => r.Address is not null).Select(r => r.Address!).ToList();
        if (addrs.Count > 0)
        {
            return (DnsStatus.Ok, addrs);
        }

        if (results.Any(r => r.Status == DnsStatus.TempFail))
        {
            return (DnsStatus.TempFail, addrs);
        }

        return (results.All(r => r.Status == DnsStatus.NxDomain) ? DnsStatus.NxDomain : DnsStatus.NoData, addrs);
    }

    /// <summary>MX hosts by preference. No MX record: the domain itself at preference 0. A null MX ("."): NoData.</summary>
    public async Task<(DnsStatus Status, List<(ushort Preference, string Host)> Exchangers)> MxAsync(string domain, CancellationToken cancel = default)
    {
        var r = await _resolver.QueryAsync(domain, DnsType.MX, cancel);
        switch (r.Status)
        {
            case DnsStatus.Ok:
                var mx = r.Records.Where(x => x.Type == DnsType.MX).Select(x => (x.Preference, Host: x.Target ?? string.Empty)).ToList();
                if (mx.Count == 1 && mx[0].Host.Length == 0)
                {
                    return (DnsStatus.NoData, []);
                }

                return (DnsStatus.Ok, mx.Where(x => x.Host.Length > 0).OrderBy(x => x.Preference).ToList());
            case DnsStatus.NoData:
                return (DnsStatus.Ok, [(0, domain.TrimEnd('.').ToLowerInvariant())]);
            default:
                return (r.Status, []);
        }
    }

    /// <summary>rDNS of a client: the PTR name, and whether that name resolves back to the address.</summary>
    public async Task<ReverseResult> ReverseAsync(IPAddress address, CancellationToken cancel = default)
    {
        if (_hosts.NameOf(address) is { } known)
        {
            return new ReverseResult(known, FcrdnsResult.Pass);
        }

        var ptr = await _resolver.QueryAsync(DnsResolver.ReverseName(address), DnsType.PTR, cancel);
        if (ptr.Status == DnsStatus.TempFail)
        {
            return new ReverseResult(null, FcrdnsResult.Error);
        }

        string? name = ptr.Records.FirstOrDefault(r => r.Type == DnsType.PTR)?.Target;
        if (name is null)
        {
            return new ReverseResult(null, FcrdnsResult.Fail);
        }

        var (status, addrs) = await AddressesAsync(name, cancel);
        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        if (addrs.Contains(plain))
        {
            return new ReverseResult(name, FcrdnsResult.Pass);
        }

        return new ReverseResult(name, status == DnsStatus.TempFail ? FcrdnsResult.Error : FcrdnsResult.Fail);
    }
}
