// Facts that need the AOT binary (SMTPD_BIN), and optionally root: skipped, not failed, without.
namespace Smtpd.Tests.TestSupport;

internal sealed class EndToEndFactAttribute : FactAttribute
{
    public EndToEndFactAttribute(bool needsRoot = false) => Skip = SkipReason(needsRoot);

    /// <summary>Why an end-to-end test cannot run here, or null when it can (also for EndToEndTheory).</summary>
    internal static string? SkipReason(bool needsRoot) =>
        Binary.Path is null ? "SMTPD_BIN does not name the AOT binary (make test sets it)"
        : needsRoot && !Binary.IsRoot ? "needs root (privilege separation is only real when started as root)"
        : null;
}
