// The control socket is open to every local user (mode 0666): what an ordinary user can make
// the control process spend. A huge frame is refused from its header, before any memory is set
// aside for it, and one user's connections are capped.
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class ControlSocketLimitTests
{
    // Announces a frame just under 16 MiB (the most the protocol allows), then sends it all and
    // waits for an answer. Prints how it ended and how many bytes went out.
    private const string HugeFrameClient = """
        import os, socket, struct, sys
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(sys.argv[1])
        size = 16 * 1024 * 1024 - 1
        sent = 0
        try:
            s.sendall(struct.pack('<IIII', 1, size, 3, os.getpid()))
            sent = 16
            chunk = b'\0' * 65536
            while sent < size:
                sent += s.send(chunk[:size - sent])
            s.settimeout(20)
            print('answered' if s.recv(64) else 'closed', sent)
        except OSError as e:
            print('closed', sent)
        """;

    // Opens as many connections as asked and keeps them until told to stop (stdin closes).
    private const string ManyConnectionsClient = """
        import socket, sys, time
        held = []
        for i in range(int(sys.argv[2])):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(sys.argv[1])
            held.append(s)
        time.sleep(3)
        alive = 0
        for s in held:
            s.setblocking(False)
            try:
                alive += 0 if s.recv(1) == b'' else 1
            except BlockingIOError:
                alive += 1
        print(alive)
        """;

    public ControlSocketLimitTests()
    {
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
        }
    }

    private static (int Code, string Out, string Err) RunAsNobody(string script, params string[] args) =>
        Binary.Run("/usr/bin/setpriv", ["--reuid=nobody", $"--regid={Posix.GetPwNam("nobody")!.Gid}", "--clear-groups", "--", "/usr/bin/python3", "-c", script, .. args], timeout: TimeSpan.FromSeconds(120));

    private static long RssKiB(int pid) =>
        long.Parse(File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);

    [EndToEndFact(needsRoot: true)]
    public void AnOrdinaryUsersHugeFrameIsCutOffWithoutTheControlProcessGrowing()
    {
        using var d = Daemon.Start().WaitReady();
        int control = d.Role("smtpd: control").Pid;
        long before = RssKiB(control);

        var r = RunAsNobody(HugeFrameClient, d.Socket);
        Assert.True(r.Code == 0, r.Err);
        Assert.StartsWith("closed ", r.Out, StringComparison.Ordinal);
        Assert.True(long.Parse(r.Out.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) < 16 * 1024 * 1024 - 1, r.Out);

        long after = RssKiB(control);
        Assert.True(after - before < 4096, $"control grew from {before} KiB to {after} KiB");
        Assert.Contains("warn: control: bad request from client: frame of 16777215 bytes from smtpctl is larger than the 4096 accepted", d.Log, StringComparison.Ordinal);

        // The administrator is still served.
        Assert.Equal(0, d.Ctl("show", "status").Code);
    }

    [EndToEndFact(needsRoot: true)]
    public void OneUserMayHoldThirtyTwoControlConnections()
    {
        using var d = Daemon.Start().WaitReady();
        var r = RunAsNobody(ManyConnectionsClient, d.Socket, "40");
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal("32", r.Out.Trim());
        Assert.Contains($"warn: too many connections to control socket from user with uid {Posix.GetPwNam("nobody")!.Uid}", d.Log, StringComparison.Ordinal);
        Assert.Equal(0, d.Ctl("show", "status").Code);
    }
}
