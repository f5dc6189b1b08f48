// RFC 1035 wire format: building a one-question query and decoding a response. The decoder is
// defensive: every read is bounds-checked, compression pointers may only point backwards and
// may not loop, and anything malformed is a DnsFormatException, never another exception.
using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Smtpd.Dns;

internal static class DnsMessage
{
    public const int MaxUdpPayload = 1232;
    private const int MaxNameLength = 255;

    /// <summary>A recursive query for one name and type, with EDNS0 advertising <see cref="MaxUdpPayload"/>.</summary>
    public static byte[] BuildQuery(ushort id, string name, DnsType type)
    {
        var buf = new List<byte>(64);
        void U16(int v)
        {
            buf.Add((byte)(v >> 8));
            buf.Add((byte)v);
        }

        U16(id);
        U16(0x0100); // RD
        U16(1);
        U16(0);
        U16(0);
        U16(1);
        WriteName(buf, name);
        U16((ushort)type);
        U16(1); // IN

        // OPT pseudo-record: root name, type 41, class = UDP payload size, ttl 0, no data.
        buf.Add(0);
        U16((ushort)DnsType.OPT);
        U16(MaxUdpPayload);
        U16(0);
        U16(0);
        U16(0);
        return [.. buf];
    }

    private static void WriteName(List<byte> buf, string name)
    {
        string trimmed = name.TrimEnd('.');
        if (trimmed.Length > 0)
        {
            foreach (string label in trimmed.Split('.'))
            {
                byte[] bytes = Encoding.ASCII.GetBytes(label);
                if (bytes.Length is 0 or > 63)
                {
                    throw new ArgumentException($"invalid DNS name \"{name}\"", nameof(name));
                }

                buf.Add((byte)bytes.Length);
                buf.AddRange(bytes);
            }
        }

        buf.Add(0);
        if (buf.Count > MaxNameLength + 12)
        {
            throw new ArgumentException($"DNS name too long \"{name}\"", nameof(name));
        }
    }

    public static DnsResponse Parse(ReadOnlySpan<byte> msg)
    {
        if (msg.Length < 12)
        {
            throw new DnsFormatException("short header");
        }

        ushort id = BinaryPrimitives.ReadUInt16BigEndian(msg);
        ushort flags = BinaryPrimitives.ReadUInt16BigEndian(msg[2..]);
        if ((flags & 0x8000) == 0)
        {
            throw new DnsFormatException("not a response");
        }

        int qd = BinaryPrimitives.ReadUInt16BigEndian(msg[4..]);
        int an = BinaryPrimitives.ReadUInt16BigEndian(msg[6..]);
        int pos = 12;
        string qname = string.Empty;
        var qtype = (DnsType)0;
        for (int i = 0; i < qd; i++)
        {
            string n = ReadName(msg, ref pos);
            Need(msg, pos, 4);
            if (i == 0)
            {
                qname = n;
                qtype = (DnsType)BinaryPrimitives.ReadUInt16BigEndian(msg[pos..]);
            }

            pos += 4;
        }

        var answers = new List<DnsRecord>(an);
        for (int i = 0; i < an; i++)
        {
            string name = ReadName(msg, ref pos);
            Need(msg, pos, 10);
            var type = (DnsType)BinaryPrimitives.ReadUInt16BigEndian(msg[pos..]);
            uint ttl = BinaryPrimitives.ReadUInt32BigEndian(msg[(pos + 4)..]);
            int rdlen = BinaryPrimitives.ReadUInt16BigEndian(msg[(pos + 8)..]);
            pos += 10;
            Need(msg, pos, rdlen);
            int rdEnd = pos + rdlen;
            var rdata = msg.Slice(pos, rdlen);
            int p = pos;
            DnsRecord? rec = type switch
            {
                DnsType.A when rdlen == 4 => new DnsRecord(name, type, ttl, Address: new IPAddress(rdata)),
                DnsType.AAAA when rdlen == 16 => new DnsRecord(name, type, ttl, Address: new IPAddress(rdata)),
                DnsType.A or DnsType.AAAA => throw new DnsFormatException("bad address length"),
                DnsType.PTR or DnsType.CNAME or DnsType.NS => new DnsRecord(name, type, ttl, Target: ReadName(msg, ref p)),
                DnsType.MX => ReadMx(msg, name, ttl, rdlen, ref p),
                DnsType.TXT => new DnsRecord(name, type, ttl, Text: ReadTxt(rdata)),
                _ => null,
            };
            if (rec is not null)
            {
                answers.Add(rec);
            }

            pos = rdEnd;
        }

        return new DnsResponse(id, (DnsRcode)(flags & 0xf), (flags & 0x0200) != 0, (flags & 0x0400) != 0, qname, qtype, answers);
    }

    private static DnsRecord ReadMx(ReadOnlySpan<byte> msg, string name, uint ttl, int rdlen, ref int p)
    {
        if (rdlen < 3)
        {
            throw new DnsFormatException("short MX");
        }

        ushort pref = BinaryPrimitives.ReadUInt16BigEndian(msg[p..]);
        p += 2;
        return new DnsRecord(name, DnsType.MX, ttl, Target: ReadName(msg, ref p), Preference: pref);
    }

    private static string ReadTxt(ReadOnlySpan<byte> rdata)
    {
        var sb = new StringBuilder();
        int i = 0;
        while (i < rdata.Length)
        {
            int len = rdata[i++];
            if (i + len > rdata.Length)
            {
                throw new DnsFormatException("bad TXT string");
            }

            sb.Append(Encoding.ASCII.GetString(rdata.Slice(i, len)));
            i += len;
        }

        return sb.ToString();
    }

    /// <summary>Reads a possibly compressed name at <paramref name="pos"/>; returns it lower-cased, without the final dot.</summary>
    public static string ReadName(ReadOnlySpan<byte> msg, ref int pos)
    {
        var sb = new StringBuilder();
        int p = pos;
        int end = -1;
        int jumps = 0;
        while (true)
        {
            Need(msg, p, 1);
            int len = msg[p];
            if ((len & 0xc0) == 0xc0)
            {
                Need(msg, p, 2);
                int target = ((len & 0x3f) << 8) | msg[p + 1];
                if (end < 0)
                {
                    end = p + 2;
                }

                // Only backwards, and a bounded number of times: no loops.
                if (target >= p || ++jumps > 32)
                {
                    throw new DnsFormatException("bad compression pointer");
                }

                p = target;
                continue;
            }

            if ((len & 0xc0) != 0)
            {
                throw new DnsFormatException("bad label type");
            }

            p++;
            if (len == 0)
            {
                break;
            }

            Need(msg, p, len);
            if (sb.Length > 0)
            {
                sb.Append('.');
            }

            foreach (byte b in msg.Slice(p, len))
            {
                sb.Append(b is >= (byte)'A' and <= (byte)'Z' ? (char)(b + 32) : (char)b);
            }

            if (sb.Length > MaxNameLength)
            {
                throw new DnsFormatException("name too long");
            }

            p += len;
        }

        pos = end >= 0 ? end : p;
        return sb.ToString();
    }

    private static void Need(ReadOnlySpan<byte> msg, int pos, int n)
    {
        if (pos < 0 || n < 0 || pos + n > msg.Length)
        {
            throw new DnsFormatException("truncated message");
        }
    }
}
