// The stub resolver (the role libasr plays in OpenSMTPD), on the DnsClient library: it builds
// the queries, talks UDP, falls back to TCP when an answer is truncated and decodes the records.
// What stays here is what DnsClient does not do the way a mail server needs it:
// - only the nameservers of our resolv.conf, in its order, each try with its "timeout:", the
//   whole list "attempts:" times (glibc's order; DnsClient would retry one server before the next);
// - NXDOMAIN and an empty answer are answers (DnsClient would ask the next server), SERVFAIL,
//   REFUSED and the like are not (the next server is asked);
// - an answer must be to our question (DnsClient checks the id only);
// - names are sent as given, absolute: no search list, no IDN conversion, and a name that is
//   not a valid DNS name never leaves;
// - the AD bit counts only with resolv.conf's "options trust-ad";
// - no cache: a mail server asks its local resolver, which caches, and a stale answer here
//   would outlive a fixed zone;
// - a nameserver on a loopback address is asked over TCP: DnsClient's UDP socket is not
//   connected, so the ICMP port-unreachable of a loopback address where nothing listens (a
//   container or test host whose resolv.conf says 127.0.0.1 and runs no resolver) is never
//   seen and every query would wait the whole timeout, while a refused TCP connection fails at
//   once and the next server is asked. Local resolvers (unbound, systemd-resolved, dnsmasq,
//   Docker's) all answer over TCP, and a loopback round trip costs nothing.
// Nothing outside src/Dns sees a DnsClient type.
using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace Smtpd.Dns;

internal sealed class DnsResolver
{
    /// <summary>EDNS0 payload we advertise: the DNS flag day 2020 size that avoids IP fragmentation.</summary>
    public const int MaxUdpPayload = 1232;

    private readonly ResolvConf _conf;
    private readonly NameServer[][] _servers;
    private readonly LookupClient _client;
    private readonly DnsQueryOptions _plain;
    private readonly DnsQueryOptions _dnssec;
    private readonly DnsQueryOptions _plainTcp;
    private readonly DnsQueryOptions _dnssecTcp;
    private readonly bool[] _overTcp;

    /// <param name="conf">The nameservers and options.</param>
    /// <param name="loopbackOverTcp">
    /// Whether loopback nameservers are asked over TCP (see above); false only for tests of the
    /// UDP exchange against a fake server, which is always on loopback.
    /// </param>
    public DnsResolver(ResolvConf conf, bool loopbackOverTcp = true)
    {
        _conf = conf;
        _servers = new NameServer[conf.Nameservers.Count][];
        _overTcp = new bool[conf.Nameservers.Count]; // (a loop: LINQ to a struct result costs idle memory, see smtpd.csproj)
        for (int i = 0; i < _servers.Length; i++)
        {
            _servers[i] = [new NameServer(conf.Nameservers[i])];
            _overTcp[i] = loopbackOverTcp && IPAddress.IsLoopback(conf.Nameservers[i].Address);
        }


        // Every query names its one server (QueryServerAsync), so the client's own list is never
        // used; it is still ours, and discovery of the system's servers is off.
        _client = new LookupClient(new LookupClientOptions(_servers.Select(s => s[0]).ToArray())
        {
            AutoResolveNameServers = false,
            UseCache = false,
        });
        _plain = Options(conf, dnssec: false, tcpOnly: false);
        _dnssec = Options(conf, dnssec: true, tcpOnly: false);
        _plainTcp = Options(conf, dnssec: false, tcpOnly: true);
        _dnssecTcp = Options(conf, dnssec: true, tcpOnly: true);
    }

    public ResolvConf Conf => _conf;

    /// <summary>
    /// One question to the configured nameservers; never throws for what the network or a
    /// server does. With <paramref name="dnssec"/> the query has the DO bit (RFC 3225), so
    /// that a validating resolver says whether it validated the answer (AD).
    /// </summary>
    public async Task<DnsResult> QueryAsync(string name, DnsType type, bool dnssec = false, CancellationToken cancel = default)
    {
        if (!DnsName.IsQueryable(name))
        {
            return new DnsResult(DnsStatus.NxDomain, [], $"invalid DNS name \"{name}\"");
        }

        var question = new DnsQuestion(DnsString.Parse(name.EndsWith('.') ? name : name + "."), (QueryType)type);
        string? lastError = null;
        for (int attempt = 0; attempt < _conf.Attempts; attempt++)
        {
            for (int i = 0; i < _servers.Length; i++)
            {
                var server = _servers[i];
                var endpoint = _conf.Nameservers[i];
                var options = (dnssec, _overTcp[i]) switch
                {
                    (false, false) => _plain,
                    (true, false) => _dnssec,
                    (false, true) => _plainTcp,
                    (true, true) => _dnssecTcp,
                };
                IDnsQueryResponse response;
                try
                {
                    response = await _client.QueryServerAsync(server, question, options, cancel);
                }
                catch (Exception e) when (!cancel.IsCancellationRequested)
                {
                    // Timeouts, refused or reset connections, another id, undecodable answers.
                    lastError = $"{endpoint}: {e.Message}";
                    if (!_overTcp[i] || IsRefused(e))
                    {
                        continue;
                    }

                    // A local resolver that listens but drops or refuses one more TCP connection
                    // (unbound takes 10 per thread; the client keeps its connections open) is
                    // asked again over UDP: its answer must not turn into a lost MX host.
                    try
                    {
                        response = await _client.QueryServerAsync(server, question, dnssec ? _dnssec : _plain, cancel);
                    }
                    catch (Exception again) when (!cancel.IsCancellationRequested)
                    {
                        lastError = $"{endpoint}: {again.Message}";
                        continue;
                    }
                }

                if (!IsAnswerTo(response, name, type))
                {
                    lastError = $"{endpoint}: answer to another question";
                    continue;
                }

                switch (response.Header.ResponseCode)
                {
                    case DnsHeaderResponseCode.NoError:
                        var records = response.Answers.Select(Convert).Where(r => r is not null && (r.Type == type || r.Type == DnsType.CNAME)).Select(r => r!).ToList();
                        bool ad = _conf.TrustAd && response.Header.IsAuthenticData;
                        return new DnsResult(records.Any(r => r.Type == type) ? DnsStatus.Ok : DnsStatus.NoData, records, null, ad);
                    case DnsHeaderResponseCode.NotExistentDomain:
                        return new DnsResult(DnsStatus.NxDomain, [], null, _conf.TrustAd && response.Header.IsAuthenticData);
                    default:
                        lastError = $"{response.Header.ResponseCode} from {endpoint}";
                        continue;
                }
            }
        }

        return DnsResult.Fail(lastError ?? "no nameserver answered");
    }

    /// <summary>Whether the server's port was closed (nothing listens): UDP would only wait for its timeout there.</summary>
    private static bool IsRefused(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The PTR name for an address: 4.3.2.1.in-addr.arpa or the nibble form for IPv6.</summary>
    public static string ReverseName(IPAddress address) =>
        (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).GetArpaName().TrimEnd('.');

    private static DnsQueryOptions Options(ResolvConf conf, bool dnssec, bool tcpOnly) => new()
    {
        Timeout = conf.Timeout,
        Retries = 0,
        UseCache = false,
        UseRandomNameServer = false,
        ContinueOnDnsError = false,
        ContinueOnEmptyResponse = false,
        ThrowDnsErrors = false,
        UseTcpFallback = true,
        UseTcpOnly = tcpOnly,
        Recursion = true,
        ExtendedDnsBufferSize = MaxUdpPayload,
        RequestDnsSecRecords = dnssec,
    };

    /// <remarks>
    /// The question as it came (Original): DnsClient's Value of a question is IDN-decoded, so
    /// "xn--bcher-kva.example" would read "bücher.example".
    /// </remarks>
    private static bool IsAnswerTo(IDnsQueryResponse response, string name, DnsType type) =>
        response.Questions.Count == 1
        && (ushort)response.Questions[0].QuestionType == (ushort)type
        && string.Equals(response.Questions[0].QueryName.Original.TrimEnd('.'), name.TrimEnd('.'), StringComparison.OrdinalIgnoreCase);

    private static DnsRecord? Convert(DnsResourceRecord rr)
    {
        string owner = NameOf(rr.DomainName);
        uint ttl = (uint)Math.Max(0, rr.TimeToLive);
        return rr switch
        {
            ARecord a => new DnsRecord(owner, DnsType.A, ttl, Address: a.Address),
            AaaaRecord a => new DnsRecord(owner, DnsType.AAAA, ttl, Address: a.Address),
            PtrRecord p => new DnsRecord(owner, DnsType.PTR, ttl, Target: NameOf(p.PtrDomainName)),
            CNameRecord c => new DnsRecord(owner, DnsType.CNAME, ttl, Target: NameOf(c.CanonicalName)),
            NsRecord n => new DnsRecord(owner, DnsType.NS, ttl, Target: NameOf(n.NSDName)),
            MxRecord m => new DnsRecord(owner, DnsType.MX, ttl, Target: NameOf(m.Exchange), Preference: m.Preference),
            TxtRecord t => new DnsRecord(owner, DnsType.TXT, ttl, Text: string.Concat(t.Text)),
            TlsaRecord t => new DnsRecord(owner, DnsType.TLSA, ttl, Tlsa: new TlsaAssociation((byte)t.CertificateUsage, (byte)t.Selector, (byte)t.MatchingType, [.. t.CertificateAssociationData])),
            _ => null,
        };
    }

    /// <summary>
    /// A name from an answer as text: DnsClient's escaped form (an octet that is not printable
    /// ASCII becomes "\DDD", so it can never pass for a plain character), lower case, without
    /// the final dot. Its IDN-decoded form (DnsString.Original) is never used.
    /// </summary>
    private static string NameOf(DnsString name)
    {
        string value = name.Value;
        return (value.EndsWith('.') ? value[..^1] : value).ToLowerInvariant();
    }
}
