// An "mda wrapper" declaration: a named command line that wraps mda delivery commands.
// Behaviour reference: usr.sbin/smtpd/parse.y (mda).
namespace Smtpd.Config;

internal sealed record MdaWrapperDef(string Name, string Command)
{
    public SourceLocation Where { get; init; } = SourceLocation.None;
}
