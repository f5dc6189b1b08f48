// A loopback UDP+TCP DNS responder for resolver tests: answers from a table, and can be told to
// truncate, stay silent, send a stray answer first, set the AD bit or mangle its answers. It
// notes when each query came and whether it had the DO bit.
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Smtpd.Tests.Dns;

internal sealed class FakeDnsServer : IDisposable
{
    private readonly Socket _udp;
    private readonly TcpListener _tcp;
    private readonly CancellationTokenSource _stop = new();

    /// <summary>A server on 127.0.0.1 and a free port; with <paramref name="address"/> and <paramref name="port"/> (e.g. 53, for a daemon that reads resolv.conf), on those.</summary>
    public FakeDnsServer(IPAddress? address = null, int port = 0)
    {
        // UDP and TCP on the same port number: the free UDP port may be taken for TCP, so retry.
        for (int attempt = 0; ; attempt++)
        {
            _udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            _udp.Bind(new IPEndPoint(address ?? IPAddress.Loopback, port));
            EndPoint = (IPEndPoint)_udp.LocalEndPoint!;
            _tcp = new TcpListener(EndPoint.Address, EndPoint.Port);
            try
            {
                _tcp.Start();
                break;
            }
            catch (SocketException) when (attempt < 50 && port == 0)
            {
                _udp.Dispose();
            }
        }

        _ = Task.Run(UdpLoopAsync);
        _ = Task.Run(TcpLoopAsync);
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>
    /// A server on port 53 of a random 127/8 address, where a resolv.conf "nameserver" line can
    /// point (it has no port); no other test or daemon uses that address. Needs root.
    /// </summary>
    public static FakeDnsServer OnPort53()
    {
        for (int attempt = 0; ; attempt++)
        {
            var address = new IPAddress([127, (byte)Random.Shared.Next(1, 255), (byte)Random.Shared.Next(0, 256), (byte)Random.Shared.Next(1, 255)]);
            try
            {
                return new FakeDnsServer(address, 53);
            }
            catch (SocketException) when (attempt < 20)
            {
            }
        }
    }

    /// <summary>(name, type) → answer records as (type, rdata) pairs; absent = NXDOMAIN.</summary>
    public Dictionary<(string, ushort), List<(ushort Type, byte[] Rdata)>> Zone { get; } = [];

    public bool TruncateUdp { get; set; }

    /// <summary>No query is answered, over UDP or TCP.</summary>
    public bool Silent { get; set; }

    /// <summary>How many of the next UDP queries get a datagram with another id before their answer.</summary>
    public int StrayAnswersFirst { get; set; }

    /// <summary>How many of the next UDP queries go unanswered (after that, <see cref="Silent"/> decides).</summary>
    public int DropUdpQueries { get; set; }

    /// <summary>Names whose queries go unanswered, over UDP or TCP.</summary>
    public HashSet<string> Unanswered { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Sets AD (authentic data) in every answer, as a validating resolver does for a signed zone.</summary>
    public bool AuthenticData { get; set; }

    /// <summary>Applied to each answer before it is sent (UDP and TCP).</summary>
    public Func<byte[], byte[]>? Mangle { get; set; }

    public int UdpQueries { get; private set; }

    public int TcpQueries { get; private set; }

    /// <summary>When each UDP query arrived (this server's clock).</summary>
    public List<DateTime> UdpQueryTimes { get; } = [];

    /// <summary>Whether the last query asked for DNSSEC records (the DO bit of its OPT record).</summary>
    public bool LastQueryHadDo { get; private set; }

    /// <summary>The names asked, in order, over UDP and TCP.</summary>
    public List<string> QueriedNames { get; } = [];

    public static byte[] Name(string name)
    {
        var b = new List<byte>();
        foreach (string l in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            b.Add((byte)l.Length);
            b.AddRange(Encoding.ASCII.GetBytes(l));
        }

        b.Add(0);
        return [.. b];
    }

    public void Dispose()
    {
        _stop.Cancel();
        _udp.Dispose();
        _tcp.Stop();
    }

    private static string QuestionName(byte[] query)
    {
        var qname = new StringBuilder();
        for (int pos = 12; pos < query.Length && query[pos] != 0; pos += query[pos] + 1)
        {
            qname.Append(qname.Length > 0 ? "." : string.Empty).Append(Encoding.ASCII.GetString(query, pos + 1, Math.Min(query[pos], query.Length - pos - 1)));
        }

        return qname.ToString();
    }

    private byte[] Answer(byte[] query, bool truncate)
    {
        int pos = 12;
        var qname = new StringBuilder();
        while (query[pos] != 0)
        {
            if (qname.Length > 0)
            {
                qname.Append('.');
            }

            qname.Append(Encoding.ASCII.GetString(query, pos + 1, query[pos]));
            pos += query[pos] + 1;
        }

        pos++;
        ushort qtype = BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(pos));
        int questionEnd = pos + 4;
        // An OPT record after the question: root name, type 41, class, then the TTL field whose
        // third octet holds the DO bit.
        LastQueryHadDo = query.Length >= questionEnd + 11 && query[questionEnd + 2] == 41 && (query[questionEnd + 7] & 0x80) != 0;
        lock (QueriedNames)
        {
            QueriedNames.Add(qname.ToString());
        }

        var resp = new List<byte>();
        resp.AddRange(query.AsSpan(0, 2).ToArray());
        string key = qname.ToString().ToLowerInvariant();
        bool found = Zone.TryGetValue((key, qtype), out var rrs) || Zone.Keys.Any(k => k.Item1 == key);
        int rcode = found ? 0 : 3;
        ushort flags = (ushort)(0x8180 | rcode | (truncate ? 0x0200 : 0) | (AuthenticData ? 0x0020 : 0));
        resp.Add((byte)(flags >> 8));
        resp.Add((byte)flags);
        resp.AddRange([0, 1]);
        int count = truncate || rrs is null ? 0 : rrs.Count;
        resp.Add((byte)(count >> 8));
        resp.Add((byte)count);
        resp.AddRange([0, 0, 0, 0]);
        resp.AddRange(query.AsSpan(12, questionEnd - 12).ToArray());
        for (int i = 0; i < count; i++)
        {
            resp.AddRange([0xc0, 12]);
            resp.Add((byte)(rrs![i].Type >> 8));
            resp.Add((byte)rrs[i].Type);
            resp.AddRange([0, 1, 0, 0, 1, 0]);
            resp.Add((byte)(rrs[i].Rdata.Length >> 8));
            resp.Add((byte)rrs[i].Rdata.Length);
            resp.AddRange(rrs[i].Rdata);
        }

        return Mangle is null ? [.. resp] : Mangle([.. resp]);
    }

    private async Task UdpLoopAsync()
    {
        var buf = new byte[4096];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult r;
            try
            {
                r = await _udp.ReceiveFromAsync(buf, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            UdpQueries++;
            UdpQueryTimes.Add(DateTime.UtcNow);
            if (DropUdpQueries > 0)
            {
                DropUdpQueries--;
                continue;
            }

            byte[] query = buf.AsSpan(0, r.ReceivedBytes).ToArray();
            if (Silent || (Unanswered.Count > 0 && Unanswered.Contains(QuestionName(query))))
            {
                continue;
            }

            if (StrayAnswersFirst > 0)
            {
                StrayAnswersFirst--;
                byte[] stray = Answer(query, false);
                stray[0] ^= 0xff;
                await _udp.SendToAsync(stray, SocketFlags.None, r.RemoteEndPoint);
            }

            await _udp.SendToAsync(Answer(query, TruncateUdp), SocketFlags.None, r.RemoteEndPoint);
        }
    }

    private async Task TcpLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _tcp.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            _ = ServeTcpAsync(client);
        }
    }

    /// <summary>Queries on one connection until the client closes it (a client may keep it for the next query).</summary>
    private async Task ServeTcpAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var s = client.GetStream();
                var len = new byte[2];
                while (!_stop.IsCancellationRequested)
                {
                    await s.ReadExactlyAsync(len, _stop.Token);
                    var q = new byte[BinaryPrimitives.ReadUInt16BigEndian(len)];
                    await s.ReadExactlyAsync(q, _stop.Token);
                    TcpQueries++;
                    if (Silent || (Unanswered.Count > 0 && Unanswered.Contains(QuestionName(q))))
                    {
                        continue;
                    }

                    byte[] a = Answer(q, false);
                    var framed = new byte[a.Length + 2];
                    BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)a.Length);
                    a.CopyTo(framed, 2);
                    await s.WriteAsync(framed, _stop.Token);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }
    }
}
