// How the lookup agent answered a route lookup for the mta. Values are wire format (frozen by
// WireEnumStabilityTests).
// Behaviour reference: usr.sbin/smtpd/dns.c (DNS_OK, DNS_RETRY, DNS_EINVAL, DNS_ENONAME, DNS_ENOTFOUND).
namespace Smtpd.Ipc.Messages;

internal enum MtaRouteStatus : byte
{
    /// <summary>Hosts to try, in order.</summary>
    Ok = 0,

    /// <summary>Try again later: DNS timed out or failed (SERVFAIL), a table could not answer.</summary>
    TempFail = 1,

    /// <summary>Never deliverable this way: no such domain, a null MX, no usable host.</summary>
    PermFail = 2,
}
