// How an action delivers: the local methods and relay.
// Behaviour reference: usr.sbin/smtpd/parse.y (dispatcher_local, dispatcher_remote).
namespace Smtpd.Config;

// The numbers are part of the serialized configuration (ConfigSerializer): append, never renumber.
internal enum ActionMethod
{
    Mbox = 0,
    Maildir = 1,
    Lmtp = 2,
    Mda = 3,
    ForwardOnly = 4,
    ExpandOnly = 5,
    Relay = 6,
}
