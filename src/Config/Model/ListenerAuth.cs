// Whether a listener offers AUTH and whether it requires it.
// Behaviour reference: usr.sbin/smtpd/parse.y (opt_if_listen: auth, auth-optional).
namespace Smtpd.Config;

// The numbers are part of the serialized configuration (ConfigSerializer): append, never renumber.
internal enum ListenerAuth
{
    None = 0,
    Required = 1,
    Optional = 2,
}
