// TLS requirement of a relay action.
// Behaviour reference: usr.sbin/smtpd/parse.y (dispatcher_remote_option: tls [no-verify]).
namespace Smtpd.Config;

// The numbers are part of the serialized configuration (ConfigSerializer): append, never renumber.
internal enum RelayTls
{
    Default = 0,
    Required = 1,
    RequiredNoVerify = 2,
}
