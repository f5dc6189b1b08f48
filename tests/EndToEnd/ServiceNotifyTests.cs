// systemd's Type=notify: the parent reports READY=1 once every role is up and the listeners are
// bound, and STOPPING=1 when it stops; no other process of the tree gets $NOTIFY_SOCKET.
using System.Net.Sockets;
using System.Text;
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class ServiceNotifyTests
{
    public ServiceNotifyTests()
    {
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
        }
    }

    [EndToEndFact]
    public void TheParentTellsTheServiceManagerWhenItIsReadyAndWhenItStops()
    {
        string dir = Directory.CreateTempSubdirectory("smtpd-notify-").FullName;
        string path = Path.Combine(dir, "notify");
        using var manager = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        manager.Bind(new UnixDomainSocketEndPoint(path));
        File.SetUnixFileMode(path, (UnixFileMode)0b111_111_111);
        manager.ReceiveTimeout = 20_000;

        using var d = Daemon.Start(env: new Dictionary<string, string> { ["NOTIFY_SOCKET"] = path });
        string ready = Receive(manager);
        Assert.Contains("READY=1\n", ready, StringComparison.Ordinal);
        Assert.Contains("STATUS=accepting mail on 1 listener\n", ready, StringComparison.Ordinal);
        Assert.Contains($"MAINPID={d.Pid}\n", ready, StringComparison.Ordinal);

        // Ready means ready: the listener answers and every role is there.
        d.WaitReady();
        var roles = d.Roles();
        Assert.Equal(6, roles.Count);
        foreach (var role in roles)
        {
            string environ = File.ReadAllText($"/proc/{role.Pid}/environ");
            Assert.DoesNotContain("NOTIFY_SOCKET=", environ, StringComparison.Ordinal);
        }

        d.Signal(Libc.SIGTERM);
        Assert.Contains("STOPPING=1\n", Receive(manager), StringComparison.Ordinal);
        Assert.Equal(0, d.WaitExit());
        Directory.Delete(dir, recursive: true);
    }

    [EndToEndFact]
    public void AnAbstractNotifySocketIsReachedToo()
    {
        string name = "smtpd-test-notify-" + Guid.NewGuid().ToString("N");
        using var manager = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        manager.Bind(new UnixDomainSocketEndPoint("\0" + name));
        manager.ReceiveTimeout = 20_000;

        using var d = Daemon.Start(env: new Dictionary<string, string> { ["NOTIFY_SOCKET"] = "@" + name });
        Assert.Contains("READY=1\n", Receive(manager), StringComparison.Ordinal);
    }

    private static string Receive(Socket socket)
    {
        var buffer = new byte[4096];
        int n = socket.Receive(buffer);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }
}
