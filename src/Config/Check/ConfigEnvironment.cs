// What the configuration names outside itself, as the daemon finds it when it starts: the
// configuration parser stays pure, and the caller (smtpd's parent) says how to ask the system.
// Behaviour reference: usr.sbin/smtpd/parse.y create_if_listener(), table.c table_create().
namespace Smtpd.Config;

internal sealed record ConfigEnvironment
{
    /// <summary>Does the listener's interface, address or host name give at least one address to listen on?</summary>
    public required Func<ListenerDef, bool> ListenerHasAddress { get; init; }

    /// <summary>Where external table backends live, as "table-NAME" programs.</summary>
    public required string LibexecDir { get; init; }
}
