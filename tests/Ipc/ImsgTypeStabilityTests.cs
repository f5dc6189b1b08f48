using Smtpd.Ipc;

namespace Smtpd.Tests.Ipc;

/// <summary>
/// Message numbers are a wire format between the processes of one installation and between
/// smtpctl and smtpd. Never edit an existing line here: add new ones, and bump ImsgVersion when
/// a payload changes shape.
/// </summary>
public class ImsgTypeStabilityTests
{
    [Theory]
    [InlineData(ImsgType.None, 0u)]
    [InlineData(ImsgType.SetupSettings, 1u)]
    [InlineData(ImsgType.SetupConfig, 2u)]
    [InlineData(ImsgType.SetupPeer, 3u)]
    [InlineData(ImsgType.SetupDone, 4u)]
    [InlineData(ImsgType.SetupListener, 5u)]
    [InlineData(ImsgType.CtlOk, 20u)]
    [InlineData(ImsgType.CtlVerbose, 22u)]
    [InlineData(ImsgType.CtlShowStatus, 23u)]
    [InlineData(ImsgType.CtlShutdown, 24u)]
    [InlineData(ImsgType.LkaClientLookup, 30u)]
    [InlineData(ImsgType.CtlUpdateTable, 60u)]
    [InlineData(ImsgType.CaKeyChannel, 100u)]
    [InlineData(ImsgType.CaKeyOperation, 101u)]
    [InlineData(ImsgType.CaKeyOperationReply, 102u)]
    [InlineData(ImsgType.TlsReloadKeys, 103u)]
    [InlineData(ImsgType.TlsReloadKeysDone, 104u)]
    [InlineData(ImsgType.TlsReloadCerts, 105u)]
    [InlineData(ImsgType.CtlShowQueue, 61u)]
    [InlineData(ImsgType.CtlEnvelopeStates, 62u)]
    [InlineData(ImsgType.CtlQueueLines, 63u)]
    [InlineData(ImsgType.LkaClientLookupReply, 31u)]
    [InlineData(ImsgType.LkaExpandRcpt, 32u)]
    [InlineData(ImsgType.LkaExpandReply, 33u)]
    [InlineData(ImsgType.QueueMessageCreate, 40u)]
    [InlineData(ImsgType.QueueMessageCreateReply, 41u)]
    [InlineData(ImsgType.QueueMessageOpen, 42u)]
    [InlineData(ImsgType.QueueMessageOpenReply, 43u)]
    [InlineData(ImsgType.QueueEnvelopeSubmit, 44u)]
    [InlineData(ImsgType.QueueEnvelopeSubmitReply, 45u)]
    [InlineData(ImsgType.QueueMessageCommit, 46u)]
    [InlineData(ImsgType.QueueMessageCommitReply, 47u)]
    [InlineData(ImsgType.QueueMessageRollback, 48u)]
    [InlineData(ImsgType.SchedulerEnvelopeNew, 50u)]
    [InlineData(ImsgType.SchedulerDeliver, 51u)]
    [InlineData(ImsgType.QueueDeliver, 52u)]
    [InlineData(ImsgType.MdaDeliver, 53u)]
    [InlineData(ImsgType.MdaDone, 54u)]
    [InlineData(ImsgType.QueueDeliveryResult, 55u)]
    [InlineData(ImsgType.SchedulerDeliveryResult, 56u)]
    [InlineData(ImsgType.QueueBounce, 57u)]
    [InlineData(ImsgType.SchedulerBounce, 58u)]
    [InlineData(ImsgType.QueueDeliveryOpen, 59u)]
    [InlineData(ImsgType.QueueDeliveryOpenReply, 64u)]
    [InlineData(ImsgType.LkaOpenForward, 70u)]
    [InlineData(ImsgType.LkaOpenForwardReply, 71u)]
    [InlineData(ImsgType.LkaUserinfoLookup, 72u)]
    [InlineData(ImsgType.LkaUserinfoReply, 73u)]
    [InlineData(ImsgType.LkaAuthenticate, 74u)]
    [InlineData(ImsgType.LkaAuthenticateReply, 75u)]
    [InlineData(ImsgType.LkaCheckSender, 120u)]
    [InlineData(ImsgType.LkaCheckSenderReply, 121u)]
    [InlineData(ImsgType.Ping, 90u)]
    [InlineData(ImsgType.Pong, 91u)]
    internal void MessageNumbersNeverChange(ImsgType type, uint value) => Assert.Equal(value, (uint)type);

    [Fact]
    public void EveryMessageTypeIsListedAbove()
    {
        Assert.Equal(54, Enum.GetValues<ImsgType>().Length);
    }
}
