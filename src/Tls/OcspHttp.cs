// The smallest HTTP client OCSP needs (RFC 6960 appendix A): one POST of the DER request to the
// responder's http:// URL, HTTP/1.0 so the answer ends with the connection, and the body of a
// 200 reply of at most 64 KiB. Responders are plain HTTP by design: the response is signed.
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Smtpd.Tls;

/// <summary>A responder's http:// URL taken apart.</summary>
internal sealed record OcspUrl(string Host, int Port, string Path);

internal static class OcspHttp
{
    private const int MaxResponse = 64 * 1024;

    /// <summary>The parts of an http:// URL, or null (another scheme, or not a URL).</summary>
    public static OcspUrl? Parse(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "http" || uri.Host.Length == 0)
        {
            return null;
        }

        return new OcspUrl(uri.IdnHost, uri.Port, uri.PathAndQuery.Length == 0 ? "/" : uri.PathAndQuery);
    }

    /// <summary>POSTs <paramref name="request"/> to <paramref name="url"/> at <paramref name="address"/>; the body of the 200 reply.</summary>
    public static async Task<byte[]> PostAsync(OcspUrl url, IPAddress address, byte[] request, CancellationToken cancel)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(address, url.Port), cancel);
        string host = url.Port == 80 ? url.Host : url.Host + ":" + url.Port.ToString(CultureInfo.InvariantCulture);
        string head = $"POST {url.Path} HTTP/1.0\r\nHost: {host}\r\nContent-Type: application/ocsp-request\r\nContent-Length: {request.Length.ToString(CultureInfo.InvariantCulture)}\r\nConnection: close\r\n\r\n";
        byte[] bytes = [.. Encoding.ASCII.GetBytes(head), .. request];
        for (int sent = 0; sent < bytes.Length;)
        {
            sent += await socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None, cancel);
        }

        var buffer = new byte[MaxResponse + 8192];
        int length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                throw new IOException("response too long");
            }

            int n = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancel);
            if (n == 0)
            {
                break;
            }

            length += n;
        }

        return Body(buffer.AsSpan(0, length));
    }

    /// <summary>The body of a complete HTTP/1.x response held in <paramref name="response"/>, if its status is 200.</summary>
    internal static byte[] Body(ReadOnlySpan<byte> response)
    {
        int end = response.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            throw new IOException("no complete HTTP header");
        }

        string[] lines = Encoding.ASCII.GetString(response[..end]).Split("\r\n");
        string[] status = lines[0].Split(' ', 3);
        if (status.Length < 2 || !status[0].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            throw new IOException("not an HTTP response");
        }

        if (status[1] != "200")
        {
            throw new IOException("HTTP status " + lines[0][(status[0].Length + 1)..]);
        }

        var body = response[(end + 4)..];
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                && int.TryParse(line[(colon + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int declared))
            {
                if (declared > body.Length)
                {
                    throw new IOException("response cut short");
                }

                body = body[..declared];
            }
        }

        if (body.Length > MaxResponse)
        {
            throw new IOException("response too long");
        }

        return body.ToArray();
    }
}
