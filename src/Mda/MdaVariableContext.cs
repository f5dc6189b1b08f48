// The values smtpd.conf(5) format specifiers expand to for one delivery: envelope addresses
// split in user and domain, the local user, and (for mda wrappers) the wrapped command.
// Behaviour reference: usr.sbin/smtpd/mda_variables.c (struct deliver, struct userinfo)
namespace Smtpd.Mda;

internal sealed record MdaVariableContext
{
    public string SenderUser { get; init; } = "";

    public string SenderDomain { get; init; } = "";

    public string RcptUser { get; init; } = "";

    public string RcptDomain { get; init; } = "";

    public string DestUser { get; init; } = "";

    public string DestDomain { get; init; } = "";

    public string UserName { get; init; } = "";

    public string UserDirectory { get; init; } = "";

    /// <summary>The command an mda wrapper wraps; %{mda} is an error when this is null.</summary>
    public string? MdaCommand { get; init; }

    /// <summary>
    /// The expansion names a file or directory (a maildir, an mbox): a '/' in a value that comes
    /// from an address or a user name becomes ':', so it cannot add path components.
    /// </summary>
    public bool ForPath { get; init; }

    /// <summary>smtpd.conf "subaddressing-delimiter"; :strip cuts at its first character.</summary>
    public string SubaddressingDelimiter { get; init; } = "+";
}
