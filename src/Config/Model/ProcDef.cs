// A "proc" declaration: a named filter process and the credentials it runs with.
// Behaviour reference: usr.sbin/smtpd/parse.y (proc, proc_params).
namespace Smtpd.Config;

internal sealed record ProcDef
{
    public required string Name { get; init; }

    public required string Command { get; init; }

    public string? User { get; init; }

    public string? Group { get; init; }

    public string? Chroot { get; init; }

    /// <summary>Our extension: the smtpd-filters(7) version spoken to the process, "0.7" (default) or "0.6".</summary>
    public string? Protocol { get; init; }

    /// <summary>Our extension: seconds the process may take to answer one request (LkaFilters.DefaultTimeout when null).</summary>
    public int? Timeout { get; init; }

    public SourceLocation Where { get; init; } = SourceLocation.None;
}
