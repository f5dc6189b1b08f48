// How the lookup agent answered a secure-transport lookup for the mta (TLSA records, an MTA-STS
// record, a pinned fingerprint). Values are wire format (frozen by WireEnumStabilityTests).
namespace Smtpd.Ipc.Messages;

internal enum MtaSecurityStatus : byte
{
    /// <summary>Nothing there: no DNSSEC-validated TLSA records, no MTA-STS record, a fingerprint not pinned.</summary>
    None = 0,

    /// <summary>Found: validated TLSA records, an MTA-STS record, a pinned fingerprint.</summary>
    Found = 1,

    /// <summary>The answer could not be had (DNS SERVFAIL or timeout, a table that failed): defer, never downgrade.</summary>
    TempFail = 2,
}
