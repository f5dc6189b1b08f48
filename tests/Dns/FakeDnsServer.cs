// A loopback UDP+TCP DNS responder for resolver tests: answers from a table, and can be told to
// truncate, stay silent, or send a stray answer first.
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

    public FakeDnsServer()
    {
        // UDP and TCP on the same port number: the free UDP port may be taken for TCP, so retry.
        for (int attempt = 0; ; attempt++)
        {
            _udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            _udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            EndPoint = (IPEndPoint)_udp.LocalEndPoint!;
            _tcp = new TcpListener(IPAddress.Loopback, EndPoint.Port);
            try
            {
                _tcp.Start();
                break;
            }
            catch (SocketException) when (attempt < 50)
            {
                _udp.Dispose();
            }
        }

        _ = Task.Run(UdpLoopAsync);
        _ = Task.Run(TcpLoopAsync);
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>(name, type) → answer records as (type, rdata) pairs; absent = NXDOMAIN.</summary>
    public Dictionary<(string, ushort), List<(ushort Type, byte[] Rdata)>> Zone { get; } = [];

    public bool TruncateUdp { get; set; }

    public bool Silent { get; set; }

    public bool SendStrayFirst { get; set; }

    public int UdpQueries { get; private set; }

    public int TcpQueries { get; private set; }

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
        var resp = new List<byte>();
        resp.AddRange(query.AsSpan(0, 2).ToArray());
        string key = qname.ToString().ToLowerInvariant();
        bool found = Zone.TryGetValue((key, qtype), out var rrs) || Zone.Keys.Any(k => k.Item1 == key);
        int rcode = found ? 0 : 3;
        ushort flags = (ushort)(0x8180 | rcode | (truncate ? 0x0200 : 0));
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

        return [.. resp];
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
            if (Silent)
            {
                continue;
            }

            byte[] query = buf.AsSpan(0, r.ReceivedBytes).ToArray();
            if (SendStrayFirst)
            {
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

            using (client)
            {
                TcpQueries++;
                var s = client.GetStream();
                var len = new byte[2];
                await s.ReadExactlyAsync(len);
                var q = new byte[BinaryPrimitives.ReadUInt16BigEndian(len)];
                await s.ReadExactlyAsync(q);
                byte[] a = Answer(q, false);
                var framed = new byte[a.Length + 2];
                BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)a.Length);
                a.CopyTo(framed, 2);
                await s.WriteAsync(framed);
            }
        }
    }
}
