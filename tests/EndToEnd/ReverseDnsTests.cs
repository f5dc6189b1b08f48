// The client's reverse name as a user of the real daemon sees it, with the daemon's resolv.conf
// pointing at a fake nameserver, as in OpenSMTPD: a PTR name that is a valid host name is the
// session's host in the log, in Received and for "from rdns" rules, whether or not it resolves
// back (that is only the separate fcrdns verdict); one that is not a host
// name (spaces, "<script>", CR LF) leaves the host "<unknown>" everywhere and never reaches the log.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Smtpd.Interop;
using Smtpd.Tests.Dns;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class ReverseDnsTests
{
    private const string TestUser = "smtpdtest";

    public ReverseDnsTests()
    {
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
            Binary.EnsureUser(TestUser);
        }
    }

    private static List<string> Delivered(string maildir) =>
        Directory.Exists(Path.Combine(maildir, "new")) ? [.. Directory.GetFiles(Path.Combine(maildir, "new"))] : [];

    // Root: the fake nameserver listens on port 53 (a resolv.conf names no port).
    [EndToEndFact(needsRoot: true)]
    public void AValidPtrNameIsTheClientsHostConfirmedOrNot()
    {
        using var dns = FakeDnsServer.OnPort53();
        // Three clients on loopback addresses of their own (none of them in /etc/hosts).
        string net = $"127.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(0, 256)}";
        var (confirmed, unconfirmed, invalid) = ($"{net}.1", $"{net}.2", $"{net}.3");
        static string Reverse(string address) => Smtpd.Dns.DnsResolver.ReverseName(System.Net.IPAddress.Parse(address));
        dns.Zone[(Reverse(confirmed), 12)] = [(12, FakeDnsServer.Name("mail.example.org"))];
        dns.Zone[("mail.example.org", 1)] = [(1, [.. confirmed.Split('.').Select(byte.Parse)])];
        dns.Zone[(Reverse(unconfirmed), 12)] = [(12, FakeDnsServer.Name("liar.example.org"))];
        dns.Zone[("liar.example.org", 1)] = [(1, [198, 51, 100, 25])];
        dns.Zone[(Reverse(invalid), 12)] = [(12, FakeDnsServer.Name("evil host<script>.example.org\r\nX-Injected: yes"))];

        string mail = Path.Combine(Path.GetTempPath(), "smtpd-mail-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(mail);
        var user = Posix.GetPwNam(TestUser)!;
        Binary.Run("chown", [$"{user.Uid}:{user.Gid}", mail]);
        string conf = $"""
            listen on 127.0.0.1 port {"{PORT}"}
            action "named" maildir "{mail}/named"
            action "other" maildir "{mail}/other"
            match from rdns {"{"} "mail.example.org", "liar.example.org" {"}"} for local action "named"
            match from any for local action "other"

            """;
        using var d = Daemon.Start(conf, prepare: dir => File.WriteAllText(Path.Combine(dir, "resolv.conf"), $"nameserver {dns.EndPoint.Address}\noptions timeout:2 attempts:1\n")).WaitReady();
        try
        {
            // python3 smtplib from each client address in turn.
            string script = $$"""
                import smtplib
                for source in ["{{confirmed}}", "{{unconfirmed}}", "{{invalid}}"]:
                    s = smtplib.SMTP("127.0.0.1", {{d.Port}}, source_address=(source, 0), local_hostname="client.example.net", timeout=30)
                    s.sendmail("sender@example.net", ["{{TestUser}}@localhost"], "Subject: from " + source + "\r\n\r\nhello\r\n")
                    s.quit()
                """;
            var r = Binary.Run("python3", ["-c", script]);
            Assert.True(r.Code == 0, r.Err + "\n" + d.Log);

            // The rule: both valid names matched "from rdns", the invalid one did not.
            Wait.Until(() => Delivered(Path.Combine(mail, "named")).Count == 2 && Delivered(Path.Combine(mail, "other")).Count == 1, "the three messages are delivered");
            var messages = Delivered(Path.Combine(mail, "named")).Concat(Delivered(Path.Combine(mail, "other"))).Select(File.ReadAllText).ToList();
            string Message(string source) => Assert.Single(messages, t => t.Contains($"Subject: from {source}", StringComparison.Ordinal));
            Assert.Contains($"Subject: from {invalid}", File.ReadAllText(Delivered(Path.Combine(mail, "other")).Single()), StringComparison.Ordinal);

            // Received (below the delivery's Return-Path and Delivered-To): the PTR name whether confirmed or
            // not, <unknown> for the invalid one, as OpenSMTPD writes it.
            Assert.Contains($"\nReceived: from client.example.net (mail.example.org [{confirmed}])", Message(confirmed), StringComparison.Ordinal);
            Assert.Contains($"\nReceived: from client.example.net (liar.example.org [{unconfirmed}])", Message(unconfirmed), StringComparison.Ordinal);
            Assert.Contains($"\nReceived: from client.example.net (<unknown> [{invalid}])", Message(invalid), StringComparison.Ordinal);
            Assert.DoesNotContain("X-Injected", Message(invalid), StringComparison.Ordinal);

            // The log: host= the valid PTR name or <unknown>; the invalid name never appears.
            Assert.Contains($"smtp connected address={confirmed} host=mail.example.org", d.Log, StringComparison.Ordinal);
            Assert.Contains($"smtp connected address={unconfirmed} host=liar.example.org", d.Log, StringComparison.Ordinal);
            Assert.Contains($"smtp connected address={invalid} host=<unknown>", d.Log, StringComparison.Ordinal);
            Assert.DoesNotContain("<script>", d.Log, StringComparison.Ordinal);
            Assert.DoesNotContain("X-Injected", d.Log, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(mail, true);
        }
    }

    [EndToEndFact]
    public void ALoopbackNameserverWhereNothingListensDoesNotDelayTheGreeting()
    {
        // resolv.conf names only a loopback address where nothing listens on port 53 (a container
        // or test host without a resolver), with the default timeout and attempts (5 s twice).
        // The host's own nameserver is never asked: it is not in this resolv.conf.
        static IPAddress RandomLoopback() => new([127, (byte)Random.Shared.Next(1, 255), (byte)Random.Shared.Next(0, 256), (byte)Random.Shared.Next(1, 255)]);
        IPAddress? dead = null;
        for (int i = 0; i < 20 && dead is null; i++)
        {
            var candidate = RandomLoopback();
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                probe.Connect(new IPEndPoint(candidate, 53));
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                dead = candidate;
            }
        }

        Assert.True(dead is not null, "something listens on port 53 of every loopback address tried");
        using var d = Daemon.Start(Daemon.MinimalConfig, prepare: dir => File.WriteAllText(Path.Combine(dir, "resolv.conf"), $"nameserver {dead}\n")).WaitReady();

        // A client on a loopback address of its own (not in /etc/hosts), so its name is asked of DNS.
        var client = RandomLoopback();
        using var tcp = new TcpClient(new IPEndPoint(client, 0));
        var clock = Stopwatch.StartNew();
        tcp.Connect(IPAddress.Loopback, d.Port);
        tcp.ReceiveTimeout = 30_000;
        using var reader = new StreamReader(tcp.GetStream());
        string? greeting = reader.ReadLine();
        var elapsed = clock.Elapsed;
        Assert.StartsWith("220 ", greeting, StringComparison.Ordinal);
        Assert.True(elapsed < TimeSpan.FromSeconds(2), $"greeted after {elapsed}\n{d.Log}");
        Wait.Until(() => d.Log.Contains($"smtp connected address={client} host=<unknown>", StringComparison.Ordinal), "the session's host is <unknown>:\n" + d.Log);
    }
}
