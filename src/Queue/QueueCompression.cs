// gzip for queued messages and envelopes, readable by zlib's gzread/inflate (and so by
// OpenSMTPD's "queue compression") and able to read what zlib's gzwrite/deflate produce.
// Behaviour reference: usr.sbin/smtpd/compress_gzip.c.
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

            result = output.ToArray();
            return true;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }
}
