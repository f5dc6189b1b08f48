// What a builtin filter does when its condition holds.
// Behaviour reference: usr.sbin/smtpd/parse.y (filter_action_builtin).
namespace Smtpd.Config;

// The numbers are part of the serialized configuration (ConfigSerializer): append, never renumber.
internal enum FilterDecision
{
    Junk = 0,
    Bypass = 1,
    Reject = 2,
    Disconnect = 3,
    Rewrite = 4,
    Report = 5,
}
