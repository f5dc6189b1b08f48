// A DANE TLSA record (RFC 6698): certificate usage (0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE),
// selector (0 full certificate, 1 SubjectPublicKeyInfo), matching type (0 exact, 1 SHA-256,
// 2 SHA-512) and the association data, as the mta finds them in DNSSEC-validated answers.
namespace Smtpd.Tls;

internal sealed record TlsaRecord(byte Usage, byte Selector, byte MatchingType, byte[] Data);
