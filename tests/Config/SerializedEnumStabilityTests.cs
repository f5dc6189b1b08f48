// Freezes the numbers of the enumerations stored in the serialized configuration. If this test
// fails, bump ConfigSerializer's format version instead of editing the expected numbers.
namespace Smtpd.Tests.Config;

using Smtpd.Config;

public sealed class SerializedEnumStabilityTests
{
    [Fact]
    public void EnumerationNumbersAreFrozen()
    {
        Assert.Equal([0, 1, 2, 3, 4], Enum.GetValues<FilterKind>().Select(v => (int)v));
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], Enum.GetValues<FilterPhase>().Select(v => (int)v));
        Assert.Equal([0, 1, 2, 3, 4, 5], Enum.GetValues<FilterDecision>().Select(v => (int)v));
        Assert.Equal([0, 1, 2, 3, 4, 5, 6], Enum.GetValues<FilterCheckKind>().Select(v => (int)v));
        Assert.Equal([0, 1, 2, 3], Enum.GetValues<ListenerTls>().Select(v => (int)v));
        Assert.Equal([0, 1, 2], Enum.GetValues<ListenerAuth>().Select(v => (int)v));
        Assert.Equal([0, 1, 2, 3, 4, 5, 6], Enum.GetValues<ActionMethod>().Select(v => (int)v));
        Assert.Equal([0, 1, 2, 3, 4], Enum.GetValues<RelayTls>().Select(v => (int)v));
        Assert.Equal(Enumerable.Range(0, 17), Enum.GetValues<MatchKind>().Select(v => (int)v));
        Assert.Equal(MatchKind.RcptTo, (MatchKind)16);
        Assert.Equal(ActionMethod.Relay, (ActionMethod)6);
    }

    [Fact]
    public void EmptyConfigurationHasAStableEncoding()
    {
        var bytes = ConfigSerializer.Serialize(new SmtpdConfig());
        // Magic "SMCF", version 2 (filters gained protocol, timeout and dkim-sign), then the empty lists and unset options.
        Assert.Equal("534D434600000002", Convert.ToHexString(bytes.AsSpan(0, 8)));
        Assert.Equal(new SmtpdConfig(), ConfigSerializer.Deserialize(bytes));
    }
}
