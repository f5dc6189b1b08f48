// Resource record types the MTA asks about (RFC 1035, 3596, 6698). The values are the wire
// values, so they convert to and from the resolver library's own enumeration.
namespace Smtpd.Dns;

internal enum DnsType : ushort
{
    A = 1,
    NS = 2,
    CNAME = 5,
    PTR = 12,
    MX = 15,
    TXT = 16,
    AAAA = 28,
    TLSA = 52,
}
