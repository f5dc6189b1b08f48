using Smtpd.Ipc.Messages;
using Smtpd.Mime;

namespace Smtpd.Tests.Ipc;

/// <summary>
/// The statuses, kinds and methods that cross IPC are wire format between the processes of one
/// installation, as message numbers are (ImsgTypeStabilityTests). Never edit an existing line
/// here: add new values, and bump ImsgVersion when a meaning changes.
/// </summary>
public class WireEnumStabilityTests
{
    [Fact]
    public void WireEnumerationNumbersAreFrozen()
    {
        Assert.Equal([0, 1, 2, 3, 4], Enum.GetValues<DeliveryOutcomeStatus>().Select(v => (int)v));
        Assert.Equal([0, 1, 2, 3], Enum.GetValues<CtlMtaShowKind>().Select(v => (int)v));
        Assert.Equal(CtlMtaShowKind.HostStats, (CtlMtaShowKind)3);
        Assert.Equal([0, 1, 2], Enum.GetValues<MtaRouteStatus>().Select(v => (int)v));
        Assert.Equal(MtaRouteStatus.PermFail, (MtaRouteStatus)2);
        Assert.Equal([0, 1, 2], Enum.GetValues<MtaSecurityStatus>().Select(v => (int)v));
        Assert.Equal(MtaSecurityStatus.TempFail, (MtaSecurityStatus)2);
        Assert.Equal([0, 1, 2, 3, 4], Enum.GetValues<MtaScheme>().Select(v => (int)v));
        Assert.Equal(MtaScheme.Lmtp, (MtaScheme)4);
        Assert.Equal(DeliveryOutcomeStatus.PermFail, (DeliveryOutcomeStatus)2);
        Assert.Equal(DeliveryOutcomeStatus.Expired, (DeliveryOutcomeStatus)4);
        Assert.Equal([0, 1, 2], Enum.GetValues<ExpandStatus>().Select(v => (int)v));
        Assert.Equal(ExpandStatus.TempFail, (ExpandStatus)2);
        Assert.Equal([0, 1, 2], Enum.GetValues<AuthStatus>().Select(v => (int)v));
        Assert.Equal(AuthStatus.TempFail, (AuthStatus)2);
        Assert.Equal([0, 1, 2], Enum.GetValues<UserinfoStatus>().Select(v => (int)v));
        Assert.Equal(UserinfoStatus.Found, (UserinfoStatus)0);
        Assert.Equal([-1, 0, 1], Enum.GetValues<ForwardStatus>().Select(v => (int)v).Order());
        Assert.Equal(ForwardStatus.TryLater, (ForwardStatus)(-1));
        Assert.Equal(ForwardStatus.Ok, (ForwardStatus)1);
        Assert.Equal([0, 1, 2, 3], Enum.GetValues<MdaMethod>().Select(v => (int)v));
        Assert.Equal(MdaMethod.Lmtp, (MdaMethod)3);
        Assert.Equal([0, 1, 2], Enum.GetValues<DeliveryKind>().Select(v => (int)v));
        Assert.Equal(DeliveryKind.Bounce, (DeliveryKind)2);
        Assert.Equal([0, 1, 2], Enum.GetValues<FcrdnsResult>().Select(v => (int)v));
        Assert.Equal(FcrdnsResult.Error, (FcrdnsResult)2);
        Assert.Equal([1, 2, 3], Enum.GetValues<KeyOperation>().Select(v => (int)v));
        Assert.Equal(KeyOperation.EcdsaSign, (KeyOperation)3);

        // Mail concepts that cross IPC and are stored in envelopes (EnvelopeSubmit, BounceRequest).
        Assert.Equal([0, 1, 2, 4, 8], Enum.GetValues<DsnNotify>().Select(v => (int)v));
        Assert.Equal(DsnNotify.Never, (DsnNotify)8);
        Assert.Equal([0, 1, 2], Enum.GetValues<DsnRet>().Select(v => (int)v));
        Assert.Equal(DsnRet.Headers, (DsnRet)2);
        Assert.Equal([0, 1, 2, 3], Enum.GetValues<BounceType>().Select(v => (int)v));
        Assert.Equal(BounceType.Delivered, (BounceType)2);
    }
}
