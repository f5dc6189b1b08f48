// TLS requirement of a relay action.
// Behaviour reference: usr.sbin/smtpd/parse.y (dispatcher_remote_option: tls [no-verify]).
namespace Smtpd.Config;

// The numbers are part of the serialized configuration (ConfigSerializer): append, never renumber.
internal enum RelayTls
{
    Default = 0,
    Required = 1,
    RequiredNoVerify = 2,

    // Our extensions (smtpd.conf.5): `tls dane`, DANE (RFC 7672) where an MX host has DNSSEC-validated
    // TLSA records, opportunistic TLS elsewhere; `tls fingerprint <table>`, TLS required and the
    // peer's certificate accepted by its SHA-256 fingerprint alone (Postfix's fingerprint level).
    Dane = 3,
    Fingerprint = 4,
}
