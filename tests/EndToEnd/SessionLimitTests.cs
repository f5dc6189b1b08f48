// What clients may hold of the daemon, seen from the clients: a session limit that keeps the
// extra client waiting until a place is free, a per-address share answered with 421, a message
// that must arrive within the DATA deadline however it trickles, 421 after twenty errors, and a
// daemon that outlives running out of descriptors.
using System.Net.Sockets;
using System.Text;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class SessionLimitTests
{
    public SessionLimitTests()
    {
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
        }
    }

    [EndToEndFact]
    public void AtMaxSessionTheNextClientWaitsUntilASessionEnds()
    {
        using var d = Daemon.Start(Daemon.MinimalConfig + "smtp limit max-session 3\n").WaitReady();
        var first = Enumerable.Range(0, 3).Select(_ => new SmtpClientHelper(d.Port)).ToList();
        try
        {
            Assert.All(first, c => Assert.StartsWith("220 ", c.Greeting, StringComparison.Ordinal));

            // The fourth is connected (the kernel's backlog) but not served: no banner yet.
            using var fourth = new TcpClient("127.0.0.1", d.Port);
            var stream = fourth.GetStream();
            fourth.ReceiveTimeout = 2000;
            var buf = new byte[512];
            var e = Assert.Throws<IOException>(() => stream.Read(buf));
            Assert.Equal(SocketError.TimedOut, Assert.IsType<SocketException>(e.InnerException).SocketErrorCode);
            Assert.Contains("warn: Disabling incoming SMTP connections: Client limit reached (3 sessions)", d.Log, StringComparison.Ordinal);

            // One leaves: the waiting client gets its banner and is served like any other.
            Assert.StartsWith("221", first[0].Command("QUIT"), StringComparison.Ordinal);
            fourth.ReceiveTimeout = 30_000;
            using var reader = new StreamReader(stream, Encoding.ASCII);
            Assert.StartsWith("220 ", reader.ReadLine(), StringComparison.Ordinal);
            stream.Write("NOOP\r\n"u8);
            Assert.Equal("250 2.0.0 Ok", reader.ReadLine());
            Wait.Until(() => d.Log.Contains("fd exhaustion over, re-enabling incoming connections", StringComparison.Ordinal), "the resume is logged");
        }
        finally
        {
            first.ForEach(c => c.Dispose());
        }
    }

    [EndToEndFact]
    public void AnAddressOverItsShareIsToldSoAndClosed()
    {
        using var d = Daemon.Start(Daemon.MinimalConfig + "smtp limit max-session-per-address 2\n").WaitReady();
        using var one = new SmtpClientHelper(d.Port);
        using var two = new SmtpClientHelper(d.Port);
        using (var third = new TcpClient("127.0.0.1", d.Port))
        {
            third.ReceiveTimeout = 30_000;
            using var reader = new StreamReader(third.GetStream(), Encoding.ASCII);
            string? reply = reader.ReadLine();
            Assert.NotNull(reply);
            Assert.Matches("^421 4.7.0 .* Too many connections from your address, try again later$", reply);
            Assert.Null(reader.ReadLine());
        }

        Assert.Contains("warn: smtp: refusing connection from 127.0.0.1: 2 sessions from this address already (max-session-per-address)", d.Log, StringComparison.Ordinal);
        Assert.StartsWith("250", one.Command("NOOP"), StringComparison.Ordinal);
        Assert.StartsWith("221", two.Command("QUIT"), StringComparison.Ordinal);
        two.Dispose();
        Wait.Until(() => d.Log.Contains("smtp disconnected reason=quit", StringComparison.Ordinal), "the session that left is gone");
        using var again = new SmtpClientHelper(d.Port);
        Assert.StartsWith("220 ", again.Greeting, StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void AMessageTrickledAByteASecondIsCutOffAtTheDataDeadline()
    {
        using var d = Daemon.Start(Daemon.MinimalConfig + "smtp limit data-timeout 3s\n").WaitReady();
        using var c = new SmtpClientHelper(d.Port);
        Assert.StartsWith("250", c.Command("EHLO slow.example.net"), StringComparison.Ordinal);
        Assert.StartsWith("250", c.Command("MAIL FROM:<sender@example.net>"), StringComparison.Ordinal);
        Assert.StartsWith("250", c.Command("RCPT TO:<root@localhost>"), StringComparison.Ordinal);
        Assert.StartsWith("354", c.Command("DATA"), StringComparison.Ordinal);

        // Never silent for long (the idle timeout is minutes), but the message never ends.
        var started = DateTime.UtcNow;
        bool cutOff = false;
        for (int i = 0; i < 30 && !cutOff; i++)
        {
            try
            {
                c.Send("x");
                Thread.Sleep(1000);
            }
            catch (IOException)
            {
                cutOff = true;
            }

            cutOff |= d.Log.Contains("smtp disconnected reason=timeout", StringComparison.Ordinal);
        }

        Assert.True(cutOff, "the trickling client was not cut off within 30 s");
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(20));
        Assert.Throws<IOException>(() =>
        {
            c.Send("\r\n.\r\n");
            c.ReadReply();
        });
        Assert.DoesNotContain("Message accepted", d.Log, StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void TwentyBadCommandsGet421AndTheConnectionCloses()
    {
        using var d = Daemon.Start().WaitReady();
        using var tcp = new TcpClient("127.0.0.1", d.Port);
        tcp.ReceiveTimeout = 30_000;
        var stream = tcp.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        Assert.StartsWith("220 ", reader.ReadLine(), StringComparison.Ordinal);
        stream.Write(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("FROB\r\n", 50))));
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal("500 5.5.1 Invalid command: Command unrecognized", reader.ReadLine());
        }

        Assert.Matches("^421 4.7.0 .* Too many errors, closing connection$", reader.ReadLine());
        Assert.Null(reader.ReadLine());
        Wait.Until(() => d.Log.Contains("smtp disconnected reason=too-many-errors", StringComparison.Ordinal), "the end is logged");
        // Twenty refusals and the 421 are logged; the thirty lines after them are never read.
        Assert.Equal(21, d.Log.Split('\n').Count(l => l.Contains("smtp failed-command command=\"FROB\"", StringComparison.Ordinal)));
    }

    [EndToEndFact]
    public void TheDaemonOutlivesRunningOutOfDescriptors()
    {
        using var d = Daemon.Start(openFiles: 64).WaitReady();
        var clients = new List<TcpClient>();
        try
        {
            // Far more clients than 64 descriptors allow; those served go into DATA, so each
            // holds a message file too. The rest wait in the backlog.
            for (int i = 0; i < 80; i++)
            {
                var tcp = new TcpClient();
                clients.Add(tcp);
                tcp.Connect("127.0.0.1", d.Port);
                tcp.ReceiveTimeout = 300;
                tcp.GetStream().Write("EHLO many.example.net\r\nMAIL FROM:<a@example.net>\r\nRCPT TO:<root@localhost>\r\nDATA\r\nSubject: x\r\n\r\n"u8);
            }

            Wait.Until(() => d.Log.Contains("Disabling incoming SMTP connections", StringComparison.Ordinal), "accepting pauses");
            Thread.Sleep(2000);
            Assert.False(d.HasExited(), d.Log);
            Assert.Equal(6, d.Roles().Count);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }

        // Everyone left: a fresh client is served, message and all.
        Wait.Until(() => TryServe(d.Port), "a fresh client is served once the others left");
        Assert.False(d.HasExited(), d.Log);
        Assert.DoesNotContain("fatal", d.Log, StringComparison.OrdinalIgnoreCase);
    }

    private static bool TryServe(int port)
    {
        try
        {
            using var c = new SmtpClientHelper(port);
            return c.SendMail("sender@example.net", ["root@localhost"], "Subject: after\n\nstill here\n").StartsWith("250", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
