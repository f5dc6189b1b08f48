// How a filter is provided: an existing proc, a process started for it, a builtin phase check, or a chain.
// Behaviour reference: usr.sbin/smtpd/parse.y (filter).
namespace Smtpd.Config;

// The numbers are part of the serialized configuration (ConfigSerializer): append, never renumber.
internal enum FilterKind
{
    Proc = 0,
    ProcExec = 1,
    Phase = 2,
    Chain = 3,

    /// <summary>Our builtin DKIM signer (<see cref="FilterDef.Dkim"/>).</summary>
    DkimSign = 4,
}
