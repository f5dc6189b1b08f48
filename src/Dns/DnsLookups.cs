// The lookups the lookup role and the MTA make, on top of the stub resolver: addresses of a host
// (A and AAAA, without AI_ADDRCONFIG filtering — a test network may have loopback only), MX with
// the RFC 5321 implicit-MX and RFC 7505 null-MX rules, TXT (MTA-STS), TLSA with the resolver's
// AD verdict (DANE), and reverse DNS with forward confirmation (FCrDNS).
using System.Net;
using System.Net.Sockets;
using Smtpd.Ipc.Messages;

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

    /// <summary>Every address of a host: /etc/hosts first, else both A and AAAA, whatever addresses this host has.</summary>
    public Task<(DnsStatus Status, List<IPAddress> Addresses)> AddressesAsync(string host, CancellationToken cancel = default) =>
        AddressesAsync(host, [DnsType.A, DnsType.AAAA], cancel);

    /// <summary>MX hosts by preference. No MX record: the domain itself at preference 0. A null MX ("."): NoData.</summary>
    public async Task<(DnsStatus Status, List<(ushort Preference, string Host)> Exchangers)> MxAsync(string domain, CancellationToken cancel = default)
    {
        var r = await _resolver.QueryAsync(domain, DnsType.MX, cancel: cancel);
        switch (r.Status)
        {
            case DnsStatus.Ok:
                var mx = r.Records.Where(x => x.Type == DnsType.MX).ToList();
                if (mx.Count == 1 && string.IsNullOrEmpty(mx[0].Target))
                {
                    return (DnsStatus.NoData, []);
                }

                // By preference, in answer order among equals (a stable insertion). (a loop: LINQ to a struct result costs idle memory, see smtpd.csproj)
                var exchangers = new List<(ushort Preference, string Host)>();
                foreach (var x in mx)
                {
                    if (!string.IsNullOrEmpty(x.Target))
                    {
                        int at = exchangers.Count;
                        while (at > 0 && exchangers[at - 1].Preference > x.Preference)
                        {
                            at--;
                        }

                        exchangers.Insert(at, (x.Preference, x.Target));
                    }
                }

                return (DnsStatus.Ok, exchangers);
            case DnsStatus.NoData:
                return (DnsStatus.Ok, [(0, domain.TrimEnd('.').ToLowerInvariant())]);
            default:
                return (r.Status, []);
        }
    }

    /// <summary>The TXT records of a name, each one's strings joined (an MTA-STS record is one TXT record).</summary>
    public async Task<(DnsStatus Status, List<string> Texts)> TxtAsync(string name, CancellationToken cancel = default)
    {
        var r = await _resolver.QueryAsync(name, DnsType.TXT, cancel: cancel);
        return (r.Status, r.Records.Where(x => x.Type == DnsType.TXT).Select(x => x.Text!).ToList());
    }

    /// <summary>
    /// The TLSA records of a TCP service (_port._tcp.host, RFC 6698 section 3), asked with the DO
    /// bit. Authenticated says whether a trusted validating resolver vouched for the answer;
    /// DANE must ignore records that are not authenticated (RFC 7672 section 2.2).
    /// </summary>
    public async Task<(DnsStatus Status, bool Authenticated, List<TlsaAssociation> Records)> TlsaAsync(string host, int port, CancellationToken cancel = default)
    {
        string name = FormattableString.Invariant($"_{port}._tcp.{host.TrimEnd('.')}");
        var r = await _resolver.QueryAsync(name, DnsType.TLSA, dnssec: true, cancel);
        return (r.Status, r.Authenticated, r.Records.Where(x => x.Type == DnsType.TLSA).Select(x => x.Tlsa!).ToList());
    }

    /// <summary>
    /// rDNS of a client as OpenSMTPD's resolver finds it: the first PTR name that is a valid host
    /// name (others are skipped, as libasr skips them; none left is a failure), then a forward
    /// lookup of that name in the client's address family, which must give the client's address.
    /// </summary>
    public async Task<ReverseResult> ReverseAsync(IPAddress address, CancellationToken cancel = default)
    {
        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        if (_hosts.NameOf(plain) is { } known && DnsName.IsHostName(known))
        {
            return new ReverseResult(known, FcrdnsResult.Pass);
        }

        var ptr = await _resolver.QueryAsync(DnsResolver.ReverseName(plain), DnsType.PTR, cancel: cancel);
        if (ptr.Status == DnsStatus.TempFail)
        {
            return new ReverseResult(null, FcrdnsResult.Error);
        }

        string? name = ptr.Records.Where(r => r.Type == DnsType.PTR).Select(r => r.Target).FirstOrDefault(t => t is not null && DnsName.IsHostName(t));
        if (name is null)
        {
            return new ReverseResult(null, FcrdnsResult.Fail);
        }

        var family = plain.AddressFamily == AddressFamily.InterNetworkV6 ? DnsType.AAAA : DnsType.A;
        var (status, addrs) = await AddressesAsync(name, [family], cancel);
        if (addrs.Contains(plain))
        {
            return new ReverseResult(name, FcrdnsResult.Pass);
        }

        return new ReverseResult(name, status == DnsStatus.TempFail ? FcrdnsResult.Error : FcrdnsResult.Fail);
    }

    private async Task<(DnsStatus Status, List<IPAddress> Addresses)> AddressesAsync(string host, DnsType[] types, CancellationToken cancel)
    {
        if (_hosts.AddressesOf(host) is { Count: > 0 } local)
        {
            return (DnsStatus.Ok, [.. local]);
        }

        var results = await Task.WhenAll(types.Select(t => _resolver.QueryAsync(host, t, cancel: cancel)));
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
}
