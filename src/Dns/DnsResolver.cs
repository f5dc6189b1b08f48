// An asynchronous stub resolver (the role libasr plays in OpenSMTPD): UDP to each configured
// nameserver in turn, TCP when the answer was truncated, answers checked against the query's
// id and question so a spoofed or stray datagram is ignored.
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Smtpd.Dns;

internal sealed class DnsResolver
{
    private readonly ResolvConf _conf;

    public DnsResolver(ResolvConf conf) => _conf = conf;

    public async Task<DnsResult> QueryAsync(string name, DnsType type, CancellationToken cancel = default)
    {
        string? lastError = null;
        for (int attempt = 0; attempt < _conf.Attempts; attempt++)
        {
            foreach (var server in _conf.Nameservers)
            {
                ushort id = (ushort)Interop.Posix.RandomUInt32();
                byte[] query;
                try
                {
                    query = DnsMessage.BuildQuery(id, name, type);
                }
                catch (ArgumentException e)
                {
                    return new DnsResult(DnsStatus.NxDomain, [], e.Message);
                }

                try
                {
                    var response = await ExchangeUdpAsync(server, query, id, name, type, cancel);
                    if (response is null)
                    {
                        lastError = $"timeout from {server}";
                        continue;
                    }

                    if (response.Truncated)
                    {
                        response = await ExchangeTcpAsync(server, query, id, name, type, cancel) ?? response;
                    }

                    switch (response.Rcode)
                    {
                        case DnsRcode.NoError:
                            var matching = response.Answers.Where(r => r.Type == type || r.Type == DnsType.CNAME).ToList();
                            return matching.Any(r => r.Type == type)
                                ? new DnsResult(DnsStatus.Ok, matching)
                                : new DnsResult(DnsStatus.NoData, matching);
                        case DnsRcode.NxDomain:
                            return new DnsResult(DnsStatus.NxDomain, []);
                        default:
                            lastError = $"{response.Rcode} from {server}";
                            continue;
                    }
                }
                catch (Exception e) when (e is SocketException or DnsFormatException or IOException)
                {
                    lastError = $"{server}: {e.Message}";
                }
            }
        }

        return DnsResult.Fail(lastError ?? "no nameserver answered");
    }

    /// <summary>The PTR name for an address: 4.3.2.1.in-addr.arpa or the nibble form for IPv6.</summary>
    public static string ReverseName(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        byte[] b = address.GetAddressBytes();
        if (b.Length == 4)
        {
            return $"{b[3]}.{b[2]}.{b[1]}.{b[0]}.in-addr.arpa";
        }

        var parts = new List<string>(64);
        for (int i = b.Length - 1; i >= 0; i--)
        {
            parts.Add((b[i] & 0xf).ToString("x", System.Globalization.CultureInfo.InvariantCulture));
            parts.Add((b[i] >> 4).ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        }

        return string.Join('.', parts) + ".ip6.arpa";
    }

    private async Task<DnsResponse?> ExchangeUdpAsync(IPEndPoint server, byte[] query, ushort id, string name, DnsType type, CancellationToken cancel)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(server, cancel);
        await socket.SendAsync(query, SocketFlags.None, cancel);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(_conf.Timeout);
        var buf = new byte[DnsMessage.MaxUdpPayload * 4];
        while (true)
        {
            int n;
            try
            {
                n = await socket.ReceiveAsync(buf, SocketFlags.None, timeout.Token);
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                return null;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                return null;
            }

            DnsResponse r;
            try
            {
                r = DnsMessage.Parse(buf.AsSpan(0, n));
            }
            catch (DnsFormatException)
            {
                continue;
            }

            if (Matches(r, id, name, type))
            {
                return r;
            }
        }
    }

    private async Task<DnsResponse?> ExchangeTcpAsync(IPEndPoint server, byte[] query, ushort id, string name, DnsType type, CancellationToken cancel)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(_conf.Timeout);
        using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(server, timeout.Token);
            var framed = new byte[query.Length + 2];
            BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
            query.CopyTo(framed, 2);
            await socket.SendAsync(framed, SocketFlags.None, timeout.Token);
            var len = new byte[2];
            await ReceiveExactlyAsync(socket, len, timeout.Token);
            var body = new byte[BinaryPrimitives.ReadUInt16BigEndian(len)];
            await ReceiveExactlyAsync(socket, body, timeout.Token);
            var r = DnsMessage.Parse(body);
            return Matches(r, id, name, type) ? r : null;
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            return null;
        }
    }

    private static async Task ReceiveExactlyAsync(Socket socket, Memory<byte> buf, CancellationToken cancel)
    {
        while (buf.Length > 0)
        {
            int n = await socket.ReceiveAsync(buf, SocketFlags.None, cancel);
            if (n == 0)
            {
                throw new IOException("connection closed mid-answer");
            }

            buf = buf[n..];
        }
    }

    private static bool Matches(DnsResponse r, ushort id, string name, DnsType type) =>
        r.Id == id && r.QuestionType == type && string.Equals(r.QuestionName, name.TrimEnd('.'), StringComparison.OrdinalIgnoreCase);
}
