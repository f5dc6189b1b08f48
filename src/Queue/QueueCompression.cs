// gzip for queued messages and envelopes, readable by zlib's gzread/inflate (and so by
// OpenSMTPD's "queue compression") and able to read what zlib's gzwrite/deflate produce.
// Behaviour reference: usr.sbin/smtpd/compress_gzip.c.
using System.Buffers.Binary;
using System.IO.Compression;

namespace Smtpd.Queue;

internal static class QueueCompression
{
    public static byte[] Compress(ReadOnlySpan<byte> data)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gz.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>
    /// Inflates gzip data, failing (false) on anything malformed or longer than <paramref name="limit"/>.
    /// With <paramref name="passThroughPlain"/>, data without the gzip magic is returned as is: that is
    /// how gzread treats a message written before compression was turned on.
    /// </summary>
    public static bool TryDecompress(byte[] data, long limit, bool passThroughPlain, out byte[] result)
    {
        result = [];
        if (data.Length < 2 || data[0] != 0x1f || data[1] != 0x8b)
        {
            if (!passThroughPlain)
            {
                return false;
            }

            result = data;
            return true;
        }

        try
        {
            using var input = new MemoryStream(data, writable: false);
            using var gz = new GZipStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            byte[] buf = new byte[16384];
            int n;
            while ((n = gz.Read(buf)) > 0)
            {
                if (output.Length + n > limit)
                {
                    return false;
                }

                output.Write(buf, 0, n);
            }

            // GZipStream reports a truncated stream as a clean end, so the trailer is checked here:
            // CRC-32 and length of everything inflated (zlib and we write one gzip member).
            result = output.ToArray();
            return data.Length >= 18
                && BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(data.Length - 8)) == Crc32(result)
                && BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(data.Length - 4)) == (uint)result.Length;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    private static readonly uint[] CrcTable = MakeCrcTable();

    /// <summary>The gzip (ISO 3309) CRC-32.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xffffffff;
        foreach (byte b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xff] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] MakeCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xedb88320 ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
