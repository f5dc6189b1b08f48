// The outcome of one lookup as the MTA needs it: answers, "no such name/no data" (permanent),
// or a temporary failure (timeouts, SERVFAIL, garbage) that must defer, never bounce.
// Authenticated: the nameserver set the AD bit (RFC 4035 section 3.2.3) and resolv.conf says
// to believe it ("options trust-ad", as glibc wants it), i.e. a validating resolver we trust.
namespace Smtpd.Dns;

internal enum DnsStatus
{
    Ok,
    NoData,
    NxDomain,
    TempFail,
}

internal sealed record DnsResult(DnsStatus Status, IReadOnlyList<DnsRecord> Records, string? Error = null, bool Authenticated = false)
{
    public static DnsResult Fail(string why) => new(DnsStatus.TempFail, [], why);
}
