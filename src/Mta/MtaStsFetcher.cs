// The MTA-STS policy fetch (RFC 8461 section 3.3): one HTTP/1.1 GET of
// https://mta-sts.DOMAIN/.well-known/mta-sts.txt over our own TLS client, the server's
// certificate verified against the relay action's trust store (its `ca`, else the system's
// bundle) and valid for mta-sts.DOMAIN; a 200 answer only (redirects are not followed), a
// Content-Length or chunked body or one up to the close, at most 64 KiB, within a minute.
// The mta does it: it holds the TLS client and the network access, and no private key.
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Smtpd.Tls;

namespace Smtpd.Mta;

internal sealed class MtaStsFetcher
{
    /// <summary>The largest policy taken (RFC 8461 section 3.3 suggests 64 KiB).</summary>
    public const int MaxBody = 64 * 1024;

    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(60);

    private readonly TlsClientContexts _contexts;
    private readonly Func<Socket, Stream> _streamOf;

    public MtaStsFetcher(TlsClientContexts contexts, Func<Socket, Stream> streamOf)
    {
        _contexts = contexts;
        _streamOf = streamOf;
    }

    /// <summary>SMTPD_MTA_STS_PORT overrides 443 (tests).</summary>
    private static int Port =>
        Environment.GetEnvironmentVariable("SMTPD_MTA_STS_PORT") is { } v && int.TryParse(v, CultureInfo.InvariantCulture, out int p) && p > 0 ? p : 443;

    /// <summary>The policy text of <paramref name="domain"/> from one of <paramref name="addresses"/>; null with the reason when none served it.</summary>
    public async Task<(string? Body, string Error)> FetchAsync(string action, string domain, IReadOnlyList<string> addresses)
    {
        var ctx = _contexts.For(action);
        if (ctx is null)
        {
            return (null, "no TLS context for this action");
        }

        if (addresses.Count == 0)
        {
            return (null, $"mta-sts.{domain} has no address");
        }

        string host = "mta-sts." + domain;
        string error = string.Empty;
        foreach (var text in addresses)
        {
            if (!IPAddress.TryParse(text, out var address))
            {
                continue;
            }

            using var timeout = new CancellationTokenSource(FetchTimeout);
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            Stream? plain = null;
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, Port), timeout.Token);
                plain = _streamOf(socket);
                await using var tls = await TlsStream.ConnectAsync(plain, ctx, host, verify: true, timeout.Token);
                string request = $"GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: {host}\r\nUser-Agent: smtpd\r\nAccept: text/plain\r\nConnection: close\r\n\r\n";
                await tls.WriteAsync(Encoding.ASCII.GetBytes(request), timeout.Token);
                await tls.FlushAsync(timeout.Token);
                return await ReadResponseAsync(tls, timeout.Token);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or InvalidOperationException)
            {
                error = e is OperationCanceledException ? "timeout" : e.Message;
            }
            finally
            {
                if (plain is not null)
                {
                    await plain.DisposeAsync();
                }
                else
                {
                    socket.Dispose();
                }
            }
        }

        return (null, error);
    }

    private static async Task<(string? Body, string Error)> ReadResponseAsync(Stream s, CancellationToken cancel)
    {
        var buf = new MemoryStream();
        var chunk = new byte[8192];
        int headerEnd = -1;
        int n;
        while ((n = await s.ReadAsync(chunk, cancel)) > 0)
        {
            buf.Write(chunk, 0, n);
            if (buf.Length > MaxBody + 16384)
            {
                return (null, "response too large");
            }

            if (headerEnd < 0)
            {
                headerEnd = IndexOf(buf.GetBuffer().AsSpan(0, (int)buf.Length), "\r\n\r\n"u8);
            }
        }

        if (headerEnd < 0)
        {
            return (null, "incomplete HTTP response");
        }

        byte[] all = buf.ToArray();
        string head = Encoding.ASCII.GetString(all, 0, headerEnd);
        byte[] rest = all[(headerEnd + 4)..];
        var lines = head.Split("\r\n");
        var status = lines[0].Split(' ', 3);
        if (status.Length < 2 || !status[0].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            return (null, "not an HTTP response");
        }

        if (status[1] != "200")
        {
            return (null, "HTTP status " + status[1]);
        }

        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0].Trim().ToLowerInvariant()).ToDictionary(g => g.Key, g => g.First()[1].Trim());
        if (headers.TryGetValue("content-type", out var type) && !type.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase))
        {
            return (null, "Content-Type is not text/plain");
        }

        byte[]? body;
        if (headers.TryGetValue("transfer-encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = Dechunk(rest);
            if (body is null)
            {
                return (null, "bad chunked body");
            }
        }
        else if (headers.TryGetValue("content-length", out var cl))
        {
            if (!int.TryParse(cl, NumberStyles.None, CultureInfo.InvariantCulture, out int len) || len > MaxBody || len > rest.Length)
            {
                return (null, "bad Content-Length");
            }

            body = rest[..len];
        }
        else
        {
            body = rest;
        }

        return body.Length > MaxBody ? (null, "policy too large") : (Encoding.UTF8.GetString(body), string.Empty);
    }

    /// <summary>A chunked body (RFC 9112 section 7.1) put together; null when it is malformed.</summary>
    internal static byte[]? Dechunk(byte[] data)
    {
        var output = new MemoryStream();
        int pos = 0;
        while (true)
        {
            int eol = IndexOf(data.AsSpan(pos), "\r\n"u8);
            if (eol < 0)
            {
                return null;
            }

            string sizeText = Encoding.ASCII.GetString(data, pos, eol).Split(';')[0].Trim();
            if (!int.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int size) || size < 0 || size > MaxBody)
            {
                return null;
            }

            pos += eol + 2;
            if (size == 0)
            {
                return output.ToArray();
            }

            if (pos + size > data.Length || output.Length + size > MaxBody)
            {
                return null;
            }

            output.Write(data, pos, size);
            pos += size + 2;
        }
    }

    private static int IndexOf(ReadOnlySpan<byte> hay, ReadOnlySpan<byte> needle) => hay.IndexOf(needle);
}
