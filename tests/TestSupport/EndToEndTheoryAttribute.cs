// Theories that need the AOT binary (SMTPD_BIN), and optionally root: skipped, not failed, without.
namespace Smtpd.Tests.TestSupport;

internal sealed class EndToEndTheoryAttribute : TheoryAttribute
{
    public EndToEndTheoryAttribute(bool needsRoot = false)
    {
        if (Binary.Path is null)
        {
            Skip = "SMTPD_BIN does not name the AOT binary (make test sets it)";
        }
        else if (needsRoot && !Binary.IsRoot)
        {
            Skip = "needs root (privilege separation is only real when started as root)";
        }
    }
}
