// The listener under misbehaving and many clients: silence is cut off, one bad client does not
// disturb the others, and a few hundred sessions at once are served.
using System.Net.Sockets;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class SmtpServingTests
{
    public SmtpServingTests()
    {
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
        }
    }

    [EndToEndFact]
    public void ASilentClientIsDisconnectedAfterTheSessionTimeoutAndOthersAreServed()
    {
        using var d = Daemon.Start(env: new Dictionary<string, string> { ["SMTPD_SESSION_TIMEOUT_SECS"] = "3" }).WaitReady();
        using var silent = new SmtpClientHelper(d.Port);
        Assert.StartsWith("220 ", silent.Greeting, StringComparison.Ordinal);
        using var active = new SmtpClientHelper(d.Port);
        Assert.StartsWith("250", active.Command("EHLO busy.example.net"), StringComparison.Ordinal);
        // The active client keeps talking (each NOOP resets its own clock) while the silent one times out.
        Wait.Until(
            () =>
            {
                Assert.StartsWith("250", active.Command("NOOP"), StringComparison.Ordinal);
                Thread.Sleep(200);
                return d.Log.Contains("smtp disconnected reason=timeout", StringComparison.Ordinal);
            },
            "the silent client is cut off");
        Assert.Throws<IOException>(() => silent.Command("NOOP"));
        Assert.StartsWith("250", active.Command("NOOP"), StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void TwoHundredConcurrentSessionsAreAllGreetedAndAnswered()
    {
        using var d = Daemon.Start().WaitReady();
        var clients = new List<SmtpClientHelper>();
        try
        {
            for (int i = 0; i < 200; i++)
            {
                clients.Add(new SmtpClientHelper(d.Port));
            }

            Assert.All(clients, c => Assert.StartsWith("220 ", c.Greeting, StringComparison.Ordinal));
            Assert.All(clients, c => Assert.StartsWith("250", c.Command("EHLO many.example.net"), StringComparison.Ordinal));
            Assert.All(clients, c => Assert.StartsWith("221", c.Command("QUIT"), StringComparison.Ordinal));
        }
        finally
        {
            foreach (var c in clients)
            {
                c.Dispose();
            }
        }
    }

    [EndToEndFact]
    public void GarbageAndOverlongLinesGetProtocolErrorsWhileTheDaemonServesOthers()
    {
        using var d = Daemon.Start().WaitReady();
        using (var tcp = new TcpClient("127.0.0.1", d.Port))
        {
            var s = tcp.GetStream();
            var junk = new byte[100_000];
            new Random(3).NextBytes(junk);
            s.Write(junk);
            s.Write("\r\n"u8);
        }

        using var c = new SmtpClientHelper(d.Port);
        Assert.StartsWith("250", c.Command("EHLO fine.example.net"), StringComparison.Ordinal);
        Assert.Equal("500 5.5.1 Invalid command: Command unrecognized", c.Command("FROB"));
        Assert.False(d.HasExited());
    }
}
