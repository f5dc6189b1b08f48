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
    [InlineData(ImsgType.Ping, 90u)]
    [InlineData(ImsgType.Pong, 91u)]
    internal void MessageNumbersNeverChange(ImsgType type, uint value) => Assert.Equal(value, (uint)type);

    [Fact]
    public void EveryMessageTypeIsListedAbove()
    {
        Assert.Equal(12, Enum.GetValues<ImsgType>().Length);
    }
}
