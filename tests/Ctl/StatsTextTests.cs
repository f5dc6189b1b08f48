// show stats and monitor, byte for byte as OpenSMTPD's smtpctl prints them.
using Smtpd.Ctl;
using Smtpd.Ipc.Messages;

namespace Smtpd.Tests.Ctl;

public class StatsTextTests
{
    [Fact]
    public void UptimeSortsAmongTheKeysWithItsHumanForm()
    {
        var counters = new List<KeyValuePair<string, long>> { new("control.session", 1), new("smtp.session", 2), new("zz.last", -1) };
        Assert.Equal(["control.session=1", "smtp.session=2", "uptime=93784", "uptime.human=1d2h3m4s", "zz.last=-1"], StatsText.Lines(counters, 93784));
    }

    [Fact]
    public void MonitorPrintsTheHeaderEvery25LinesAndTheChanges()
    {
        var first = new CtlDigest(3, 1, 10, 4, 0, 0, 1, 4, 2, 0, 0);
        var second = first with { ClientConnect = 5, ClientDisconnect = 4, DeliveryOk = 6, EnvelopeRemoved = 1 };
        Assert.Equal(StatsText.MonitorHeader + "   2    3    1     6   10    4    4       2       0    0      0      0      1\n", StatsText.MonitorLines(0, default, first));
        Assert.Equal("   1    2    3     6    0    0    2       0       0    0      0      1      0\n", StatsText.MonitorLines(1, first, second));
        Assert.StartsWith("\n" + StatsText.MonitorHeader, StatsText.MonitorLines(25, first, second), StringComparison.Ordinal);
    }
}
