// The socketmap backend against an in-process server: answers, refusals, every kind of broken
// or slow server as a temporary failure, and reconnection after the server comes back.
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Smtpd.Tables;

namespace Smtpd.Tests.Tables;

public sealed class SocketmapTableTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(500);
    private readonly string _dir = Directory.CreateTempSubdirectory("smtpd-socketmap-").FullName;
    private readonly List<string> _requests = [];
    private readonly List<Socket> _clients = [];
    private Socket? _listener;

    private string Path => System.IO.Path.Combine(_dir, "sock");

    public void Dispose()
    {
        Stop();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void AsksMapNameAndKeyAndReadsTheAnswer()
    {
        Serve(request => request switch
        {
            "aliases bob" => Netstring.Encode("OK bob@example.org, carol"),
            _ => Netstring.Encode("NOTFOUND "),
        });
        using var table = new SocketmapTable("aliases", Path, Timeout);
        Assert.Equal((MatchResult.Match, "bob@example.org, carol"), table.Lookup(TableService.Alias, "bob"));
        Assert.Equal(MatchResult.NoMatch, table.Match(TableService.Domain, "nobody"));
        Assert.Equal(MatchResult.Match, table.Match(TableService.Alias, "Bob"));
        Assert.Equal(["aliases bob", "aliases nobody", "aliases bob"], _requests);
    }

    [Theory]
    [InlineData("TEMP database down")]
    [InlineData("TIMEOUT slow")]
    [InlineData("PERM no such map")]
    [InlineData("FOUND x")]
    public void AnythingButOkOrNotfoundIsATemporaryFailure(string reply)
    {
        Serve(_ => Netstring.Encode(reply));
        using var table = new SocketmapTable("m", Path, Timeout);
        Assert.Equal((MatchResult.TempFail, (string?)null), table.Lookup(TableService.Alias, "k"));
    }

    [Theory]
    [InlineData("OK bob\n")]
    [InlineData("7:OK bob;")]
    [InlineData("200000:")]
    [InlineData("6:OK bob,6:OK bob,")]
    public void AMalformedOrOversizeReplyIsATemporaryFailure(string reply)
    {
        Serve(_ => Encoding.ASCII.GetBytes(reply));
        using var table = new SocketmapTable("m", Path, Timeout);
        Assert.Equal(MatchResult.TempFail, table.Match(TableService.Alias, "k"));
    }

    [Fact]
    public void AServerThatDoesNotAnswerIsATemporaryFailureWithinTheTimeout()
    {
        Serve(_ => null);
        using var table = new SocketmapTable("m", Path, Timeout);
        var clock = Stopwatch.StartNew();
        Assert.Equal(MatchResult.TempFail, table.Match(TableService.Alias, "k"));
        Assert.InRange(clock.Elapsed, Timeout * 0.8, Timeout * 4);
    }

    [Fact]
    public void NoServerIsATemporaryFailureAndTheTableConnectsOnceOneListens()
    {
        using var table = new SocketmapTable("m", Path, Timeout);
        table.Open();
        Assert.Equal(MatchResult.TempFail, table.Match(TableService.Alias, "k"));
        Serve(_ => Netstring.Encode("OK v"));
        Assert.Equal((MatchResult.Match, "v"), table.Lookup(TableService.Alias, "k"));
    }

    [Fact]
    public void AServerRestartIsFollowedWithoutAFailedLookup()
    {
        Serve(_ => Netstring.Encode("OK first"));
        using var table = new SocketmapTable("m", Path, Timeout);
        Assert.Equal((MatchResult.Match, "first"), table.Lookup(TableService.Alias, "k"));
        Stop();
        File.Delete(Path);
        Serve(_ => Netstring.Encode("OK second"));
        Assert.Equal((MatchResult.Match, "second"), table.Lookup(TableService.Alias, "k"));
    }

    // The server goes away: its listener and every connection it accepted.
    private void Stop()
    {
        _listener?.Dispose();
        lock (_clients)
        {
            _clients.ForEach(c => c.Dispose());
            _clients.Clear();
        }
    }

    // A one-client-at-a-time server: each netstring request gets reply(request), or no answer at all for null.
    private void Serve(Func<string, byte[]?> reply)
    {
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(Path));
        listener.Listen(4);
        _listener = listener;
        var thread = new Thread(() =>
        {
            try
            {
                while (true)
                {
                    using var client = listener.Accept();
                    lock (_clients)
                    {
                        _clients.Add(client);
                    }

                    var buffer = new byte[4096];
                    int filled = 0;
                    while (true)
                    {
                        int n = client.Receive(buffer, filled, buffer.Length - filled, SocketFlags.None);
                        if (n == 0)
                        {
                            break;
                        }

                        filled += n;
                        if (Netstring.TryParse(buffer.AsSpan(0, filled), 4096, out string request, out int consumed) != NetstringStatus.Complete)
                        {
                            continue;
                        }

                        filled = 0;
                        lock (_requests)
                        {
                            _requests.Add(request);
                        }

                        if (reply(request) is { } answer)
                        {
                            client.Send(answer);
                        }
                    }
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // The listener was closed: the server is gone.
            }
        }) { IsBackground = true };
        thread.Start();
    }
}
