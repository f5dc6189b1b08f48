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

    public SourceLocation Where { get; init; } = SourceLocation.None;
}
