// The TLS layer in-process, both ends ours over a loopback connection: the server's key used
// only through the forwarding hook (as the crypto role performs it), the client verifying the
// chain and the host name as the mta will, data both ways, and what each side learns.
using System.Net;
using System.Net.Sockets;
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;
using Smtpd.Tls;

namespace Smtpd.Tests.Tls;

[Collection("openssl key hook")]
public sealed class TlsStreamTests : IDisposable
{
    private readonly TestPki _pki = TestPki.Create();
    private readonly List<IDisposable> _owned = [];

    public void Dispose()
    {
        OpenSslKeyProxy.Forward = null;
        foreach (var d in _owned)
        {
            d.Dispose();
        }

        Directory.Delete(_pki.Dir, true);
    }

    /// <summary>A server context for a new certificate whose key only the hook uses.</summary>
    private OpenSslContext ServerContext(bool ec, string? protocols = null)
    {
        var (cert, keyFile) = _pki.Issue(ec ? "ec" : "rsa", ec, false, "mx.example.org");
        var key = OpenSslPrivateKey.Load(keyFile, out string error) ?? throw new InvalidOperationException(error);
        _owned.Add(key);
        int calls = 0;
        OpenSslKeyProxy.Forward = (name, op, parameter, input) =>
        {
            Assert.Equal("mx.example.org", name);
            calls++;
            return key.Perform(op, parameter, input);
        };
        var ctx = OpenSslContext.Create(server: true);
        _owned.Add(ctx);
        Assert.Null(ctx.UseCertificateChainFile(cert));
        Assert.Null(ctx.UseForwardedKey("mx.example.org"));
        Assert.Null(TlsProtocols.Apply(ctx, null, protocols, null));
        return ctx;
    }

    private static async Task<(Stream Server, Stream Client)> ConnectedPairAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new TcpClient();
        var accept = listener.AcceptTcpClientAsync();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        var server = await accept;
        return (server.GetStream(), client.GetStream());
    }

    [Fact]
    public async Task AVerifyingClientAndTheServerExchangeDataAndSeeWhatWasNegotiated()
    {
        var serverCtx = ServerContext(ec: false);
        var (clientCtx, error) = (TlsClientContext.Create(_pki.CaCert, null, null, null, out string e), e);
        Assert.True(clientCtx is not null, error);
        _owned.Add(clientCtx!);
        var (s, c) = await ConnectedPairAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var serverTask = TlsStream.AcceptAsync(s, serverCtx, timeout.Token);
        await using var client = await TlsStream.ConnectAsync(c, clientCtx!.Context, "mx.example.org", verify: true, timeout.Token);
        await using var server = await serverTask;

        await client.WriteAsync("EHLO client.example.net\r\n"u8.ToArray(), timeout.Token);
        byte[] buf = new byte[100];
        int n = await server.ReadAsync(buf, timeout.Token);
        Assert.Equal("EHLO client.example.net\r\n", System.Text.Encoding.ASCII.GetString(buf, 0, n));
        byte[] big = new byte[100_000];
        Random.Shared.NextBytes(big);
        var write = server.WriteAsync(big, timeout.Token).AsTask();
        byte[] got = new byte[big.Length];
        int total = 0;
        while (total < got.Length)
        {
            total += await client.ReadAsync(got.AsMemory(total), timeout.Token);
        }

        await write;
        Assert.Equal(big, got);

        Assert.Equal("TLSv1.3", server.Info.Version);
        Assert.StartsWith("TLS_", server.Info.Cipher, StringComparison.Ordinal);
        Assert.True(server.Info.Bits >= 128);
        Assert.Equal("mx.example.org", server.Info.ServerName);
        Assert.Null(server.Info.PeerSubject);
        Assert.Equal("/CN=mx.example.org", client.Info.PeerSubject);
        Assert.True(client.Info.PeerVerified);
        Assert.Matches("^SHA256:[0-9a-f]{64}$", client.Info.PeerFingerprint!);
    }

    [Fact]
    public async Task AClientExpectingAnotherNameRefusesTheCertificate()
    {
        var serverCtx = ServerContext(ec: true);
        var clientCtx = TlsClientContext.Create(_pki.CaCert, null, null, null, out _)!;
        _owned.Add(clientCtx);
        var (s, c) = await ConnectedPairAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var serverTask = TlsStream.AcceptAsync(s, serverCtx, timeout.Token);
        var e = await Assert.ThrowsAsync<IOException>(() => TlsStream.ConnectAsync(c, clientCtx.Context, "other.example.net", verify: true, timeout.Token));
        Assert.StartsWith("handshake failed: error:", e.Message, StringComparison.Ordinal);
        Assert.Contains("certificate verify failed", e.Message, StringComparison.Ordinal);
        c.Dispose();
        await Assert.ThrowsAsync<IOException>(() => serverTask);
    }

    [Fact]
    public async Task AnEcKeySignsATls12HandshakeThroughTheHook()
    {
        var serverCtx = ServerContext(ec: true, protocols: "tlsv1.2");
        var clientCtx = TlsClientContext.Create(_pki.CaCert, null, null, null, out _)!;
        _owned.Add(clientCtx);
        var (s, c) = await ConnectedPairAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var serverTask = TlsStream.AcceptAsync(s, serverCtx, timeout.Token);
        await using var client = await TlsStream.ConnectAsync(c, clientCtx.Context, "mx.example.org", verify: true, timeout.Token);
        await using var server = await serverTask;
        Assert.Equal("TLSv1.2", server.Info.Version);
        Assert.StartsWith("ECDHE-ECDSA-", server.Info.Cipher, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tlsv1.2,tlsv1.3", 0x0303, 0x0304)]
    [InlineData("secure", 0x0303, 0x0304)]
    [InlineData("TLSv1.3", 0x0304, 0x0304)]
    [InlineData("all:!tlsv1.0:!tlsv1.1", 0x0303, 0x0304)]
    [InlineData("tlsv1.2", 0x0303, 0x0303)]
    internal void ProtocolStringsReadAsOpenSmtpdReadsThem(string text, int min, int max)
    {
        Assert.True(TlsProtocols.TryParse(text, out int lo, out int hi));
        Assert.Equal((min, max), (lo, hi));
    }

    [Theory]
    [InlineData("sslv3")]
    [InlineData("tlsv1.4")]
    [InlineData("")]
    internal void UnknownProtocolWordsAreRefused(string text) => Assert.False(TlsProtocols.TryParse(text, out _, out _));
}
