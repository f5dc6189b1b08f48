// A socketmap: table whose server is not there defers recipients (4xx) instead of refusing them,
// and answers as soon as the server listens, without a restart or `smtpctl update table`.
// (A relay action: the recipient is accepted on the domain alone; no message is sent.)
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public sealed class SocketmapTableEndToEndTests : IDisposable
{
    private readonly string _dir;

    public SocketmapTableEndToEndTests()
    {
        _dir = Directory.CreateTempSubdirectory("smtpd-socketmap-e2e-").FullName;
        File.SetUnixFileMode(_dir, (UnixFileMode)0b111_101_101);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [EndToEndFact]
    public void AnAbsentServerDefersRecipientsUntilItListens()
    {
        File.WriteAllText(Path.Combine(_dir, "domains"), "one.example\n");
        File.SetUnixFileMode(Path.Combine(_dir, "domains"), (UnixFileMode)0b110_100_100);
        string socket = Path.Combine(_dir, "map.sock");
        string conf = $"""
            listen on 127.0.0.1 port {"{PORT}"}
            table domains socketmap:{socket}
            action "out" relay
            match from any for domain <domains> action "out"

            """;
        using var d = Daemon.Start(conf).WaitReady();
        Assert.StartsWith("4", Rcpt(d, "someone@one.example"), StringComparison.Ordinal);
        Wait.Until(() => d.Log.Contains($"table \"domains\": socketmap {socket}", StringComparison.Ordinal), "the unreachable server is logged");

        using var server = SocketmapServer.Start(_dir, socket);
        Assert.StartsWith("250", Rcpt(d, "someone@one.example"), StringComparison.Ordinal);
        Assert.StartsWith("550", Rcpt(d, "someone@two.example"), StringComparison.Ordinal);
    }

    private static string Rcpt(Daemon d, string rcpt)
    {
        using var c = new SmtpClientHelper(d.Port);
        c.Command("EHLO client.example.net");
        c.Command("MAIL FROM:<sender@example.net>");
        return c.Command($"RCPT TO:<{rcpt}>");
    }
}
