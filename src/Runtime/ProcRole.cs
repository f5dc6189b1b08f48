// The processes of the daemon. Names are what `-x` takes and what titles and logs show.
namespace Smtpd.Runtime;

internal enum ProcRole : uint
{
    Parent = 0,
    Lka = 1,
    Queue = 2,
    Scheduler = 3,
    Dispatcher = 4,
    Control = 5,
    Ca = 6,
}

internal static class ProcRoles
{
    /// <summary>The children in the order the parent starts them (smtpd.c main()).</summary>
    public static readonly ProcRole[] Children =
        [ProcRole.Ca, ProcRole.Control, ProcRole.Lka, ProcRole.Dispatcher, ProcRole.Queue, ProcRole.Scheduler];

    /// <summary>Pairs of roles that talk directly, each given its own socketpair (smtpd.c setup_peers()).</summary>
    public static readonly (ProcRole A, ProcRole B)[] PeerPairs =
    [
        (ProcRole.Control, ProcRole.Ca),
        (ProcRole.Control, ProcRole.Lka),
        (ProcRole.Control, ProcRole.Dispatcher),
        (ProcRole.Control, ProcRole.Queue),
        (ProcRole.Control, ProcRole.Scheduler),
        (ProcRole.Dispatcher, ProcRole.Ca),
        (ProcRole.Dispatcher, ProcRole.Lka),
        (ProcRole.Dispatcher, ProcRole.Queue),
        (ProcRole.Queue, ProcRole.Lka),
        (ProcRole.Queue, ProcRole.Scheduler),
    ];

    public static string Name(this ProcRole role) => role switch
    {
        ProcRole.Parent => "parent",
        ProcRole.Lka => "lka",
        ProcRole.Queue => "queue",
        ProcRole.Scheduler => "scheduler",
        ProcRole.Dispatcher => "dispatcher",
        ProcRole.Control => "control",
        ProcRole.Ca => "ca",
        _ => "unknown",
    };

    /// <summary>What ps shows for the role ("smtpd: queue"); the lka reads as "lookup" there, as in OpenSMTPD.</summary>
    public static string Title(this ProcRole role) => role switch
    {
        ProcRole.Parent => "smtpd",
        ProcRole.Lka => "smtpd: lookup",
        ProcRole.Ca => "smtpd: crypto",
        _ => "smtpd: " + role.Name(),
    };

    /// <summary>The title without the "smtpd: " prefix, as log lines name a role ("lookup", "queue").</summary>
    public static string ShortTitle(this ProcRole role) => role == ProcRole.Parent ? "parent" : role.Title()["smtpd: ".Length..];

    public static ProcRole? Parse(string name)
    {
        foreach (var role in Children)
        {
            if (role.Name() == name)
            {
                return role;
            }
        }

        return null;
    }
}
