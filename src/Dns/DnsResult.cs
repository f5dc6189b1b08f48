// The outcome of one lookup as the MTA needs it: answers, "no such name/no data" (permanent),
// or a temporary failure (timeouts, SERVFAIL, garbage) that must defer, never bounce.
namespace Smtpd.Dns;

internal enum DnsStatus
{
    Ok,
    NoData,
    NxDomain,
    TempFail,
}

internal sealed record DnsResult(DnsStatus Status, IReadOnlyList<DnsRecord> Records, string? Error = null)
{
    public static DnsResult Fail(string why) => new(DnsStatus.TempFail, [], why);
}
