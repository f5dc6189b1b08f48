// Facts for relay tests: they need the AOT binary, root (network namespaces), ip(8) and unbound;
// skipped with the reason otherwise.
namespace Smtpd.Tests.TestSupport;

internal sealed class RelayFactAttribute : FactAttribute
{
    public RelayFactAttribute() => Skip = NetNs.SkipReason ?? UnboundZone.SkipReason;
}
