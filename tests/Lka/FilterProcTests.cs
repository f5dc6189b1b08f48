// The lka's side of one filter process, over a real socketpair: the handshake in each protocol
// version, registration, answers completing requests, the report layouts, and the protocol
// violations that get a filter cut off (and a restart asked for) instead of stopping the daemon.
using System.Net.Sockets;
using System.Text;
using Smtpd.Interop;
using Smtpd.Lka;

namespace Smtpd.Tests.Lka;

public class FilterProcTests
{
    private sealed class Peer : IDisposable
    {
        private readonly NetworkStream _stream;
        private readonly StreamReader _reader;

        public Peer(string protocol)
        {
            var (mine, theirs) = Posix.SocketPair();
            Proc = new FilterProc("f", protocol, "mx.example.org", (name, why) => Restarts.Add(name + ": " + why));
            Proc.Attach(mine);
            _stream = new NetworkStream(new Socket(new SafeSocketHandle(theirs.Release(), ownsHandle: true)), ownsSocket: true);
            _reader = new StreamReader(_stream, Encoding.Latin1);
        }

        public FilterProc Proc { get; }

        public List<string> Restarts { get; } = [];

        public string ReadLine()
        {
            var line = _reader.ReadLineAsync();
            Assert.True(line.Wait(TimeSpan.FromSeconds(10)), "a line from the daemon");
            return line.Result ?? throw new IOException("closed");
        }

        public List<string> ReadHandshake()
        {
            var lines = new List<string>();
            while (lines.LastOrDefault() != "config|ready")
            {
                lines.Add(ReadLine());
            }

            return lines;
        }

        public void Write(string lines) => _stream.Write(Encoding.Latin1.GetBytes(lines));

        public void Dispose() => _stream.Dispose();
    }

    [Fact]
    public async Task Protocol07HandshakeNamesTheVersionAndTheAdmd()
    {
        using var peer = new Peer("0.7");
        Assert.Equal(
            ["config|smtpd-version|7.8.0", "config|protocol|0.7", "config|smtp-session-timeout|300", "config|subsystem|smtp-in", "config|admd|mx.example.org", "config|ready"],
            peer.ReadHandshake());
        peer.Write("register|filter|smtp-in|mail-from\nregister|report|smtp-in|*\nregister|ready\n");
        Assert.True(await peer.Proc.WaitReadyAsync(TimeSpan.FromSeconds(10)));
        Assert.True(peer.Proc.Registered("mail-from"));
        Assert.True(peer.Proc.Reports("link-auth"));
        Assert.False(peer.Proc.ReportOnly);
    }

    [Fact]
    public async Task Protocol06HandshakeIsOpenSmtpd68sAndAnAnswerWithAParameterAfterProceedIsAViolation()
    {
        using var peer = new Peer("0.6");
        Assert.Equal(["config|smtpd-version|7.8.0", "config|smtp-session-timeout|300", "config|subsystem|smtp-in", "config|ready"], peer.ReadHandshake());
        peer.Write("register|filter|smtp-in|helo\nregister|ready\n");
        Assert.True(await peer.Proc.WaitReadyAsync(TimeSpan.FromSeconds(10)));
        var answer = peer.Proc.QueryAsync(0x1234, 0x99, "helo", "client.example.net", TimeSpan.FromSeconds(10));
        Assert.Matches(@"^filter\|0\.6\|\d+\.\d{6}\|smtp-in\|helo\|0000000000001234\|0000000000000099\|client\.example\.net$", peer.ReadLine());
        peer.Write("filter-result|0000000000001234|0000000000000099|proceed|extra\n");
        Assert.Equal(FilterAnswerKind.Failed, (await answer).Kind);
        Assert.Equal(["f: parameter after proceed: filter-result|0000000000001234|0000000000000099|proceed|extra"], peer.Restarts);
    }

    [Fact]
    public async Task AnAnswerCompletesItsRequestAndRewriteKeepsBarsInItsParameter()
    {
        using var peer = new Peer("0.7");
        peer.ReadHandshake();
        peer.Write("register|filter|smtp-in|rcpt-to\nregister|ready\n");
        Assert.True(await peer.Proc.WaitReadyAsync(TimeSpan.FromSeconds(10)));
        var answer = peer.Proc.QueryAsync(0xabc, 0xdef, "rcpt-to", "a@example.org", TimeSpan.FromSeconds(10));
        peer.ReadLine();
        peer.Write("filter-result|abc|def|rewrite|<b|c@example.org>\n");
        var a = await answer;
        Assert.Equal(FilterAnswerKind.Rewrite, a.Kind);
        Assert.Equal("<b|c@example.org>", a.Parameter);
        Assert.Empty(peer.Restarts);
    }

    [Theory]
    [InlineData("filter-result|1|2|proceed\n", "non-register message before register|ready")]
    [InlineData("register|filter|smtp-out|helo\n", "invalid message direction")]
    [InlineData("register|filter|smtp-in|nonsense\n", "unrecognized filter phase")]
    [InlineData("register|report|smtp-in|nonsense\n", "unrecognized report name")]
    public async Task ABadHandshakeGetsTheFilterCutOff(string line, string why)
    {
        using var peer = new Peer("0.7");
        peer.ReadHandshake();
        peer.Write(line);
        Assert.False(await peer.Proc.WaitReadyAsync(TimeSpan.FromMilliseconds(300)));
        SpinWait.SpinUntil(() => peer.Restarts.Count > 0, TimeSpan.FromSeconds(10));
        Assert.StartsWith("f: " + why, Assert.Single(peer.Restarts), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ALineLongerThanTheLimitIsAViolationAndWaitingRequestsFail()
    {
        using var peer = new Peer("0.7");
        peer.ReadHandshake();
        peer.Write("register|filter|smtp-in|data\nregister|ready\n");
        Assert.True(await peer.Proc.WaitReadyAsync(TimeSpan.FromSeconds(10)));
        var answer = peer.Proc.QueryAsync(1, 2, "data", string.Empty, TimeSpan.FromSeconds(30));
        peer.ReadLine();
        peer.Write(new string('x', FilterProc.MaxLine + 10));
        Assert.Equal(FilterAnswerKind.Failed, (await answer).Kind);
        Assert.Equal([$"f: line longer than {FilterProc.MaxLine} bytes"], peer.Restarts);
    }

    [Fact]
    public async Task ARequestNotAnsweredInTimeFailsAndTheLateAnswerIsIgnored()
    {
        using var peer = new Peer("0.7");
        peer.ReadHandshake();
        peer.Write("register|filter|smtp-in|mail-from\nregister|ready\n");
        Assert.True(await peer.Proc.WaitReadyAsync(TimeSpan.FromSeconds(10)));
        var a = await peer.Proc.QueryAsync(5, 6, "mail-from", "slow@example.org", TimeSpan.FromMilliseconds(200));
        Assert.Equal(new FilterAnswer(FilterAnswerKind.Failed, "timeout"), a);
        peer.ReadLine();
        peer.Write("filter-result|5|6|proceed\n");
        var next = peer.Proc.QueryAsync(7, 8, "mail-from", "fine@example.org", TimeSpan.FromSeconds(10));
        peer.ReadLine();
        peer.Write("filter-result|7|8|reject|550 no\n");
        Assert.Equal(new FilterAnswer(FilterAnswerKind.Reject, "550 no"), await next);
        Assert.Empty(peer.Restarts);
    }

    [Fact]
    public async Task AProcessThatRegistersNoFilterPhaseOnlyReports()
    {
        using var peer = new Peer("0.7");
        peer.ReadHandshake();
        Assert.False(peer.Proc.ReportOnly);
        peer.Write("register|report|smtp-in|link-connect\nregister|ready\n");
        Assert.True(await peer.Proc.WaitReadyAsync(TimeSpan.FromSeconds(10)));
        Assert.True(peer.Proc.ReportOnly);
        peer.Proc.SendReport(1_700_000_000_123_456, "link-connect", 0x42, "|rdns|pass|1.2.3.4:5|6.7.8.9:25");
        Assert.Equal("report|0.7|1700000000.123456|smtp-in|link-connect|0000000000000042|rdns|pass|1.2.3.4:5|6.7.8.9:25", peer.ReadLine());
    }

    [Fact]
    public async Task ReportsKeptDuringTheHandshakeGoOutBeforeTheRequestsThatWaitedForIt()
    {
        using var peer = new Peer("0.7");
        peer.ReadHandshake();
        peer.Proc.SendReport(1_000_000, "link-connect", 0x42, "|localhost|pass|127.0.0.1:1234|127.0.0.1:25");
        var answer = Task.Run(async () =>
        {
            Assert.True(await peer.Proc.WaitReadyAsync(TimeSpan.FromSeconds(10)));
            return await peer.Proc.QueryAsync(0x42, 0x7, "connect", "localhost|127.0.0.1", TimeSpan.FromSeconds(10));
        });
        peer.Write("register|filter|smtp-in|connect\nregister|report|smtp-in|link-connect\nregister|ready\n");
        Assert.Contains("|link-connect|0000000000000042|", peer.ReadLine(), StringComparison.Ordinal);
        Assert.Contains("|connect|0000000000000042|0000000000000007|", peer.ReadLine(), StringComparison.Ordinal);
        peer.Write("filter-result|0000000000000042|0000000000000007|proceed\n");
        Assert.Equal(FilterAnswerKind.Proceed, (await answer).Kind);
    }
}
