// `listen on`: the parent binds (as root, even below 1024), the dispatcher alone holds the
// sockets afterwards, and an address that cannot be bound is a clear error at start.
using System.Net.Sockets;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class ListenerTests
{
    public ListenerTests()
    {
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
        }
    }

    [EndToEndFact]
    public void TheDispatcherAloneHoldsTheListeningSocket()
    {
        using var d = Daemon.Start().WaitReady();
        var dispatcher = d.Role("smtpd: dispatcher");
        Wait.Until(() => Sockets.ListeningPids(d.Port).SequenceEqual([dispatcher.Pid]), "only the dispatcher holds the listening socket");
        using var client = new TcpClient();
        client.Connect("127.0.0.1", d.Port);
    }

    [EndToEndFact(needsRoot: true)]
    public void AsRootAPortBelow1024IsBoundForTheUnprivilegedDispatcher()
    {
        int port = Enumerable.Range(900, 100).First(p => Sockets.ListeningPids(p).Count == 0);
        using var d = Daemon.Start(config: Daemon.MinimalConfigOn(port)).WaitReady();
        var dispatcher = d.Role("smtpd: dispatcher");
        Assert.NotEqual(0u, dispatcher.Uids[0]);
        Wait.Until(() => Sockets.ListeningPids(port).SequenceEqual([dispatcher.Pid]), "the dispatcher holds port " + port);
    }

    [EndToEndFact]
    public void ABusyAddressStopsTheStartWithAClearError()
    {
        using var busy = new TcpListener(System.Net.IPAddress.Loopback, 0);
        busy.Start();
        int port = ((System.Net.IPEndPoint)busy.LocalEndpoint).Port;
        using var d = Daemon.Start(config: Daemon.MinimalConfigOn(port));
        Assert.Equal(1, d.WaitExit());
        Assert.Equal($"smtpd: cannot listen on 127.0.0.1:{port}: Address already in use\n", d.Log);
    }
}
