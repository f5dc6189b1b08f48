// Theories that need the AOT binary (SMTPD_BIN), and optionally root: skipped, not failed, without.
namespace Smtpd.Tests.TestSupport;

internal sealed class EndToEndTheoryAttribute : TheoryAttribute
{
    public EndToEndTheoryAttribute(bool needsRoot = false) => Skip = EndToEndFactAttribute.SkipReason(needsRoot);
}
