// The LMTP client against an in-process server on a UNIX socket and on TCP: the exact dialogue,
// the DATA encoding, and how replies, refusals, hang-ups and silence become delivery results.
using System.Text;
using Smtpd.Mda;

namespace Smtpd.Tests.Mda;

public sealed class LmtpDeliveryTests : IDisposable
{
    private readonly TempDir _tmp = new();

    private static MemoryStream Stream(string text) => new(Encoding.UTF8.GetBytes(text));

    private FakeLmtpServer UnixServer() => FakeLmtpServer.Unix(Path.Combine(_tmp.Path, "lmtp.sock"));

    private static Task<MdaResult> DeliverAsync(FakeLmtpServer server, string message = "Subject: hi\n\nbody\n", string from = "sender@example.org", string rcpt = "alice", TimeSpan? timeout = null, CancellationToken ct = default) =>
        new LmtpDelivery(server.Destination, from, rcpt) { Timeout = timeout ?? TimeSpan.FromSeconds(30) }.DeliverAsync(Stream(message), ct);

    [Fact]
    public async Task OverAUnixSocketTheDialogueIsLhloMailRcptDataQuit()
    {
        using var server = UnixServer();
        Assert.Equal(MdaResult.Ok, await DeliverAsync(server));
        Assert.Equal(["LHLO localhost", "MAIL FROM:<sender@example.org>", "RCPT TO:<alice>", "DATA", "QUIT"], server.Commands);
        Assert.Equal("Subject: hi\r\n\r\nbody\r\n.\r\n", Encoding.UTF8.GetString(server.Data));
    }

    [Fact]
    public async Task OverTcpTheHostAndPortDestinationIsUsed()
    {
        using var server = FakeLmtpServer.Tcp();
        Assert.StartsWith("127.0.0.1:", server.Destination, StringComparison.Ordinal);
        Assert.Equal(MdaResult.Ok, await DeliverAsync(server, rcpt: "bob@example.org"));
        Assert.Equal(["LHLO localhost", "MAIL FROM:<sender@example.org>", "RCPT TO:<bob@example.org>", "DATA", "QUIT"], server.Commands);
    }

    [Fact]
    public async Task LinesStartingWithADotAreStuffedAndLfBecomesCrlf()
    {
        using var server = UnixServer();
        Assert.True((await DeliverAsync(server, "a\n.\n.b\n..c\nd.\n\nno newline at end")).IsOk);
        Assert.Equal("a\r\n..\r\n..b\r\n...c\r\nd.\r\n\r\nno newline at end\r\n.\r\n", Encoding.UTF8.GetString(server.Data));
    }

    [Fact]
    public async Task TheNullSenderIsSentAsAnEmptyPath()
    {
        using var server = UnixServer();
        Assert.True((await DeliverAsync(server, from: string.Empty)).IsOk);
        Assert.Equal("MAIL FROM:<>", server.Commands[1]);
    }

    [Fact]
    public async Task AnEmptyMessageIsJustTheFinalDot()
    {
        using var server = UnixServer();
        Assert.True((await DeliverAsync(server, string.Empty)).IsOk);
        Assert.Equal(".\r\n", Encoding.UTF8.GetString(server.Data));
    }

    [Fact]
    public async Task ALargeMessageIsStreamedWhole()
    {
        using var server = UnixServer();
        string line = new string('x', 998) + "\n";
        string message = string.Concat(Enumerable.Repeat(line, 2000));
        Assert.True((await DeliverAsync(server, message)).IsOk);
        Assert.Equal(message.Replace("\n", "\r\n", StringComparison.Ordinal) + ".\r\n", Encoding.UTF8.GetString(server.Data));
    }

    [Fact]
    public async Task ATemporaryRcptRefusalIsATempFailWithTheServersReplyAndNoData()
    {
        using var server = UnixServer();
        server.Replies["RCPT"] = "451 4.3.0 <alice> Temporary internal error";
        Assert.Equal(MdaResult.TempFail("LMTP server error: 451 4.3.0 <alice> Temporary internal error"), await DeliverAsync(server));
        Assert.DoesNotContain("DATA", server.Commands);
    }

    [Fact]
    public async Task AnUnknownUserIsAPermFailWithTheServersReply()
    {
        using var server = UnixServer();
        server.Replies["RCPT"] = "550 5.1.1 <alice> User doesn't exist: alice";
        Assert.Equal(MdaResult.PermFail("LMTP server error: 550 5.1.1 <alice> User doesn't exist: alice"), await DeliverAsync(server));
    }

    [Fact]
    public async Task ARefusalAfterTheFinalDotIsPermanent()
    {
        using var server = FakeLmtpServer.Tcp();
        server.Replies["."] = "552 5.2.2 <alice> Mailbox is full";
        Assert.Equal(MdaResult.PermFail("LMTP server error: 552 5.2.2 <alice> Mailbox is full"), await DeliverAsync(server));
    }

    [Fact]
    public async Task AServerThatRefusesMidMessageAndHangsUpIsHeardOut()
    {
        using var server = UnixServer();
        server.AbortDataAfter = 64 * 1024;
        server.Replies["."] = "552 5.3.4 Message too big for system";
        string message = string.Concat(Enumerable.Repeat(new string('y', 999) + "\n", 20_000));
        Assert.Equal(MdaResult.PermFail("LMTP server error: 552 5.3.4 Message too big for system"), await DeliverAsync(server, message));
    }

    [Fact]
    public async Task A421BannerIsATempFail()
    {
        using var server = UnixServer();
        server.Replies["banner"] = "421 4.3.2 Service shutting down";
        Assert.Equal(MdaResult.TempFail("LMTP server error: 421 4.3.2 Service shutting down"), await DeliverAsync(server));
        Assert.Empty(server.Commands);
    }

    [Fact]
    public async Task AFailingLineInsideAMultiLineReplyDecides()
    {
        using var server = UnixServer();
        server.Replies["LHLO"] = "250-fake.example.org\r\n550-no\r\n550 no LHLO for you";
        Assert.Equal(MdaResult.PermFail("LMTP server error: 550-no"), await DeliverAsync(server));
    }

    [Fact]
    public async Task DataAnsweredWithoutA354IsRefused()
    {
        using var server = UnixServer();
        server.Replies["DATA"] = "250 2.0.0 OK";
        Assert.Equal(MdaResult.PermFail("LMTP server error: 250 2.0.0 OK"), await DeliverAsync(server));
    }

    [Fact]
    public async Task AHangUpMidSessionIsAnUnexpectedEofTempFail()
    {
        using var server = UnixServer();
        server.Replies["MAIL"] = FakeLmtpServer.Close;
        Assert.Equal(MdaResult.TempFail("unexpected EOF from LMTP server"), await DeliverAsync(server));
    }

    [Fact]
    public async Task GarbageInsteadOfAReplyIsATempFail()
    {
        using var server = UnixServer();
        server.Replies["banner"] = "hello there";
        Assert.Equal(MdaResult.TempFail("LMTP server sent an invalid line"), await DeliverAsync(server));
    }

    [Fact]
    public async Task AnOverlongReplyLineIsATempFail()
    {
        using var server = UnixServer();
        server.Replies["banner"] = "220 " + new string('x', 10_000);
        var result = await DeliverAsync(server);
        Assert.Equal(MdaResultKind.TempFail, result.Kind);
        Assert.Contains("overlong", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFailingQuitAfterTheMessageWasAcceptedStillCountsAsDelivered()
    {
        using var server = UnixServer();
        server.Replies["QUIT"] = FakeLmtpServer.Close;
        Assert.Equal(MdaResult.Ok, await DeliverAsync(server));
    }

    [Fact]
    public async Task ASilentServerTimesOutWithATempFailNamingTheStep()
    {
        using var server = UnixServer();
        server.Replies["RCPT"] = null;
        var started = DateTime.UtcNow;
        // Long enough that the steps the server does answer (banner, LHLO, MAIL) never run out of it on
        // a loaded machine (300 ms once timed out on the banner), short enough to show the silent step does.
        Assert.Equal(MdaResult.TempFail("timeout on LMTP session (RCPT TO)"), await DeliverAsync(server, timeout: TimeSpan.FromSeconds(3)));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task ASilentBannerTimesOutToo()
    {
        using var server = FakeLmtpServer.Tcp();
        server.Replies["banner"] = null;
        Assert.Equal(MdaResult.TempFail("timeout on LMTP session (banner)"), await DeliverAsync(server, timeout: TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task CancellingTheCallerTokenThrowsInsteadOfReportingATimeout()
    {
        using var server = UnixServer();
        server.Replies["RCPT"] = null;
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => DeliverAsync(server, ct: cts.Token));
    }

    [Fact]
    public async Task ARefusedTcpConnectionIsATempFail()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }

        var result = await new LmtpDelivery($"127.0.0.1:{port}", "a@example.org", "alice").DeliverAsync(Stream("x\n"));
        Assert.Equal(MdaResult.TempFail("connect: Connection refused"), result);
    }

    [Fact]
    public async Task AMissingUnixSocketIsATempFail()
    {
        var result = await new LmtpDelivery(Path.Combine(_tmp.Path, "nothing-here"), "a@example.org", "alice").DeliverAsync(Stream("x\n"));
        Assert.Equal(MdaResultKind.TempFail, result.Kind);
        Assert.StartsWith("connect: ", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnparsableDestinationIsATempFail()
    {
        var result = await new LmtpDelivery("[::1", "a@example.org", "alice").DeliverAsync(Stream("x\n"));
        Assert.Equal(MdaResult.TempFail("inet: invalid address syntax"), result);
    }

    [Fact]
    public async Task AnUnknownHostIsATempFail()
    {
        var result = await new LmtpDelivery("no-such-host.invalid:24", "a@example.org", "alice").DeliverAsync(Stream("x\n"));
        Assert.Equal(MdaResultKind.TempFail, result.Kind);
        Assert.StartsWith("inet: ", result.Reason, StringComparison.Ordinal);
    }

    public void Dispose() => _tmp.Dispose();
}
