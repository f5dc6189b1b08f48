// TLS over any Stream: the OpenSSL connection works on memory buffers and this class moves the
// bytes between them and the inner stream with ordinary async reads and writes, so a handshake
// or a record never blocks the event loop. One reader and one writer at a time, not both at
// once (an SMTP session alternates them). The inner stream stays open: its owner closes it.
using Smtpd.Interop;

namespace Smtpd.Tls;

internal sealed class TlsStream : Stream
{
    // One TLS record's payload at most per SSL_write; a read buffer that holds a full record.
    private const int ChunkSize = 16 * 1024;

    private readonly Stream _inner;
    private readonly OpenSslConnection _ssl;
    private readonly byte[] _fromNetwork = new byte[ChunkSize + 512];
    private readonly byte[] _toNetwork = new byte[ChunkSize + 1024];
    private bool _disposed;

    private TlsStream(Stream inner, OpenSslConnection ssl)
    {
        _inner = inner;
        _ssl = ssl;
    }

    /// <summary>What the handshake negotiated (set once it completed).</summary>
    public TlsSessionInfo Info { get; private set; } = new(string.Empty, string.Empty, 0, null, null, null, false);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>The server side of a handshake on <paramref name="inner"/>; IOException("handshake failed: ...") when it fails.</summary>
    public static Task<TlsStream> AcceptAsync(Stream inner, OpenSslContext context, CancellationToken cancellationToken) =>
        HandshakeAsync(new OpenSslConnection(context, server: true), inner, cancellationToken);

    /// <summary>
    /// The client side: <paramref name="serverName"/> is sent as SNI (when given and
    /// <paramref name="sendSni"/>) and, with <paramref name="verify"/>, the server's certificate
    /// must chain to the context's trust anchors and be valid for that name, or the handshake fails.
    /// </summary>
    public static Task<TlsStream> ConnectAsync(Stream inner, OpenSslContext context, string? serverName, bool verify, CancellationToken cancellationToken, bool sendSni = true, bool checkName = false)
    {
        var ssl = new OpenSslConnection(context, server: false);
        if (serverName is not null)
        {
            ssl.SetPeerName(serverName, verify, sendSni);
            if (checkName && !verify)
            {
                // Checked, not required: Info.PeerVerified says whether chain and name were good.
                ssl.CheckPeerName(serverName);
            }
        }

        return HandshakeAsync(ssl, inner, cancellationToken);
    }

    /// <summary>
    /// The client side authenticated by DANE: the server's chain must match one of
    /// <paramref name="tlsa"/> (the context needs DANE enabled, TlsClientContext.Create(dane: true)),
    /// or the handshake fails. <paramref name="serverName"/> is sent as SNI and is the base domain
    /// for name checks of PKIX usages. IOException when no record is usable.
    /// </summary>
    public static Task<TlsStream> ConnectDaneAsync(Stream inner, OpenSslContext context, string serverName, IReadOnlyList<TlsaRecord> tlsa, CancellationToken cancellationToken)
    {
        var ssl = new OpenSslConnection(context, server: false);
        ssl.SetPeerName(serverName, verify: false);
        if (ssl.EnableDane(serverName, tlsa.Select(r => (r.Usage, r.Selector, r.MatchingType, r.Data))) == 0)
        {
            ssl.Dispose();
            throw new IOException("no usable TLSA record");
        }

        return HandshakeAsync(ssl, inner, cancellationToken);
    }

    private static async Task<TlsStream> HandshakeAsync(OpenSslConnection ssl, Stream inner, CancellationToken cancellationToken)
    {
        var stream = new TlsStream(inner, ssl);
        try
        {
            while (true)
            {
                SslStatus status = ssl.Handshake();
                // Alerts go out too: the peer learns why.
                await stream.SendPendingAsync(cancellationToken);
                if (status == SslStatus.Ok)
                {
                    break;
                }

                if (status != SslStatus.WantInput || !await stream.ReceiveAsync(cancellationToken))
                {
                    string why = status == SslStatus.WantInput ? "EOF" : ssl.LastError;
                    if (why.Contains("certificate verify failed", StringComparison.Ordinal))
                    {
                        // OpenSSL's reason says that it failed; the verify result says why.
                        why += $" ({ssl.VerifyResultText})";
                    }

                    throw new IOException("handshake failed: " + why);
                }
            }
        }
        catch
        {
            ssl.Dispose();
            throw;
        }

        var (subject, fingerprint) = ssl.PeerCertificate();
        stream.Info = new TlsSessionInfo(ssl.Version, ssl.CipherName, ssl.CipherBits, ssl.ServerName, subject, fingerprint, subject is not null && ssl.PeerVerified)
        {
            DaneDepth = ssl.DaneAuthorityDepth,
            VerifyText = ssl.VerifyResultText,
        };
        return stream;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.Length == 0)
        {
            return 0;
        }

        while (true)
        {
            SslStatus status = _ssl.Read(buffer.Span, out int n);
            switch (status)
            {
                case SslStatus.Ok:
                    return n;
                case SslStatus.Closed:
                    return 0;
                case SslStatus.WantInput:
                    // TLS 1.3 may have queued something (a key update answer) first.
                    await SendPendingAsync(cancellationToken);
                    if (!await ReceiveAsync(cancellationToken))
                    {
                        return 0;
                    }

                    break;
                default:
                    throw new IOException(_ssl.LastError);
            }
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (buffer.Length > 0)
        {
            var chunk = buffer[..Math.Min(buffer.Length, ChunkSize)];
            if (_ssl.Write(chunk.Span) != SslStatus.Ok)
            {
                throw new IOException(_ssl.LastError.Length > 0 ? _ssl.LastError : "TLS write failed");
            }

            await SendPendingAsync(cancellationToken);
            buffer = buffer[chunk.Length..];
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override void Flush() => _inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Sends close_notify (best effort) and frees the connection; the inner stream stays open.</summary>
    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            try
            {
                _ssl.Shutdown();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await SendPendingAsync(timeout.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or System.Net.Sockets.SocketException)
            {
                // The peer is gone: there is no one to tell.
            }
        }

        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _ssl.Dispose();
        }

        base.Dispose(disposing);
    }

    private async ValueTask SendPendingAsync(CancellationToken cancellationToken)
    {
        bool sent = false;
        while (_ssl.PendingOutput > 0)
        {
            int n = _ssl.TakeOutput(_toNetwork);
            if (n == 0)
            {
                break;
            }

            await _inner.WriteAsync(_toNetwork.AsMemory(0, n), cancellationToken);
            sent = true;
        }

        if (sent)
        {
            await _inner.FlushAsync(cancellationToken);
        }
    }

    /// <summary>Feeds what the network has next into OpenSSL; false at end of stream.</summary>
    private async ValueTask<bool> ReceiveAsync(CancellationToken cancellationToken)
    {
        int n = await _inner.ReadAsync(_fromNetwork, cancellationToken);
        if (n <= 0)
        {
            return false;
        }

        _ssl.Feed(_fromNetwork.AsSpan(0, n));
        return true;
    }
}
