// Hostile clients: hundreds of idle connections from many addresses, slowloris clients that
// send a byte at a time, an oversized line and pipelined garbage, all at once; a well-behaved
// client from another address still gets its message accepted and delivered promptly, and the
// dispatcher's memory stays bounded (here: less than 64 MiB more than before the attack).
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.Chaos;

[Collection("daemon")]
public class HostileClientsTests
{
    private const string TestUser = "smtpdtest";

    private static Socket Connect(int port, string from)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Parse(from), 0));
        s.Connect(IPAddress.Loopback, port);
        return s;
    }

    private static long RssKiB(int pid) =>
        File.ReadAllLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture)).Single();

    private static TimeSpan Deliver(int port, string to, int n)
    {
        var clock = Stopwatch.StartNew();
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        s.Connect(IPAddress.Loopback, port);
        using var stream = new NetworkStream(s, ownsSocket: true);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        string Reply()
        {
            string line;
            do
            {
                line = reader.ReadLine() ?? throw new IOException("closed");
            }
            while (line.Length > 3 && line[3] == '-');
            return line;
        }

        void Say(string line) => stream.Write(Encoding.ASCII.GetBytes(line + "\r\n"));
        Assert.StartsWith("220", Reply(), StringComparison.Ordinal);
        foreach (var (cmd, code) in new[] { ("EHLO good.example.net", "250"), ("MAIL FROM:<good@example.net>", "250"), ($"RCPT TO:<{to}>", "250"), ("DATA", "354") })
        {
            Say(cmd);
            string r = Reply();
            Assert.True(r.StartsWith(code, StringComparison.Ordinal), $"{cmd}: {r}");
        }

        Say($"Subject: good {n}\r\n\r\nwell behaved\r\n.");
        Assert.StartsWith("250", Reply(), StringComparison.Ordinal);
        return clock.Elapsed;
    }

    [EndToEndFact]
    public void AWellBehavedClientIsServedPromptlyWhileHundredsOfHostileConnectionsAreOpen()
    {
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
            Binary.EnsureUser(TestUser);
        }

        var user = Binary.IsRoot ? Posix.GetPwNam(TestUser)! : Posix.GetPwUid(Posix.GetEUid())!;
        string mail = Path.Combine(Path.GetTempPath(), "smtpd-hostile-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(mail);
        Binary.Run("chown", [$"{user.Uid}:{user.Gid}", mail]);
        var sockets = new List<Socket>();
        using (var d = Daemon.Start($"listen on 127.0.0.1 port {{PORT}}\naction \"local\" maildir \"{mail}/%{{user.username}}\"\nmatch from any for local action \"local\"\n").WaitReady())
        {
            string to = $"{user.Name}@localhost";
            var baseline = Deliver(d.Port, to, 0);
            int dispatcher = d.Role("smtpd: dispatcher").Pid;
            long rssBefore = RssKiB(dispatcher);
            try
            {
                // Idle: 15 addresses x 40 connections that never say a word.
                for (int a = 0; a < 15; a++)
                {
                    for (int i = 0; i < 40; i++)
                    {
                        sockets.Add(Connect(d.Port, $"127.0.1.{a + 1}"));
                    }
                }

                // An oversized line (the cap is 64 KiB) and pipelined garbage.
                var big = Connect(d.Port, "127.0.2.1");
                sockets.Add(big);
                big.Send(Encoding.ASCII.GetBytes("EHLO " + new string('x', 200_000) + "\r\n"));
                var garbage = Connect(d.Port, "127.0.2.2");
                sockets.Add(garbage);
                garbage.Send(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("\x01\xfe NOPE\r\nRCPT TO:<>\r\n", 5000))));

                // Slowloris: twenty clients dribbling a command a byte at a time while the good one works.
                var slow = Enumerable.Range(0, 20).Select(i => Connect(d.Port, $"127.0.3.{i + 1}")).ToList();
                sockets.AddRange(slow);
                using var stop = new CancellationTokenSource();
                var dribble = Task.Run(async () =>
                {
                    byte[] text = Encoding.ASCII.GetBytes("EHLO slow.example.net\r\nMAIL FROM:<slow@example.net>\r\n");
                    for (int k = 0; !stop.IsCancellationRequested; k++)
                    {
                        foreach (var s in slow)
                        {
                            try
                            {
                                s.Send(text.AsSpan(k % text.Length, 1));
                            }
                            catch (SocketException)
                            {
                            }
                        }

                        await Task.Delay(100);
                    }
                });

                var loaded = Enumerable.Range(1, 5).Select(n => Deliver(d.Port, to, n)).Max();
                stop.Cancel();
                dribble.Wait();
                long rssAfter = RssKiB(dispatcher);
                Assert.True(loaded < TimeSpan.FromSeconds(5) && loaded < baseline * 50 + TimeSpan.FromSeconds(1), $"the good client took {loaded.TotalMilliseconds:0} ms under attack ({baseline.TotalMilliseconds:0} ms before)");
                Assert.True(rssAfter - rssBefore < 64 * 1024, $"the dispatcher grew from {rssBefore} KiB to {rssAfter} KiB");
                Assert.False(d.HasExited());
                string box = Path.Combine(mail, user.Name, "new");
                Wait.Until(() => Directory.Exists(box) && Directory.GetFiles(box).Length == 6, "the good client's mail is delivered:\n" + d.Log);
            }
            finally
            {
                foreach (var s in sockets)
                {
                    s.Dispose();
                }
            }
        }

        Directory.Delete(mail, true);
    }
}
