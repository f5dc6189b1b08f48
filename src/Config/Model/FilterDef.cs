// A "filter" declaration in one of its four forms (proc, proc-exec, phase, chain).
// Behaviour reference: usr.sbin/smtpd/parse.y (filter), smtpd-filters.7.
namespace Smtpd.Config;

internal sealed record FilterDef
{
    public required string Name { get; init; }

    public required FilterKind Kind { get; init; }

    /// <summary>The proc name for <see cref="FilterKind.Proc"/>.</summary>
    public string? Proc { get; init; }

    /// <summary>The command for <see cref="FilterKind.ProcExec"/>.</summary>
    public string? Command { get; init; }

    public string? User { get; init; }

    public string? Group { get; init; }

    public string? Chroot { get; init; }

    /// <summary>Our extension: the smtpd-filters(7) version spoken to the process, "0.7" (default) or "0.6".</summary>
    public string? Protocol { get; init; }

    /// <summary>Our extension: seconds the process may take to answer one request (LkaFilters.DefaultTimeout when null).</summary>
    public int? Timeout { get; init; }

    public FilterPhase Phase { get; init; }

    public FilterCheck? Check { get; init; }

    public FilterDecision Decision { get; init; }

    /// <summary>The message or value of reject, disconnect, rewrite and report.</summary>
    public string? DecisionArgument { get; init; }

    /// <summary>Member filters of a <see cref="FilterKind.Chain"/>, in order.</summary>
    public ValueList<string> Chain { get; init; } = ValueList<string>.Empty;

    /// <summary>The signer's settings for <see cref="FilterKind.DkimSign"/>.</summary>
    public DkimSignDef? Dkim { get; init; }

    public SourceLocation Where { get; init; } = SourceLocation.None;
}
