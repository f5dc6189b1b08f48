// The TLS mode of a listener.
// Behaviour reference: usr.sbin/smtpd/parse.y (opt_if_listen: tls, tls-require, smtps).
namespace Smtpd.Config;

// The numbers are part of the serialized configuration (ConfigSerializer): append, never renumber.
internal enum ListenerTls
{
    None = 0,
    StartTls = 1,
    StartTlsRequire = 2,
    Smtps = 3,
}
