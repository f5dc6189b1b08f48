// The data of a TLSA record (RFC 6698 section 2.1): how a server's certificate or key is to be
// matched. DANE may use it only from an answer whose DnsResult.Authenticated is set.
namespace Smtpd.Dns;

internal sealed record TlsaAssociation(byte Usage, byte Selector, byte MatchingType, byte[] Data);
