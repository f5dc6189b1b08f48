// Facts for relay tests with a DNSSEC-signed zone: as RelayFact, plus ldns-signzone to sign it.
namespace Smtpd.Tests.TestSupport;

internal sealed class SignedZoneRelayFactAttribute : FactAttribute
{
    public SignedZoneRelayFactAttribute() => Skip = NetNs.SkipReason ?? UnboundZone.SignedSkipReason;
}
