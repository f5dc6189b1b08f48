// Reads the bounced message back from the spool for the third part of a report: just its header
// (stopping at the first empty line) or all of it, turning the spool's LF line ends into CRLF.
// Behaviour reference: usr.sbin/smtpd/bounce.c (BOUNCE_DATA_MESSAGE)
namespace Smtpd.Mime;

internal static class OriginalMessage
{
    /// <summary>A header larger than this is cut at a line boundary; a report need not carry it all.</summary>
    public const int MaxHeaderBytes = 1 << 20;

    private const int ChunkSize = 16 * 1024;

    /// <summary>The header section with CRLF line ends, without the empty line that ends it.</summary>
    public static async Task<byte[]> ReadHeaderAsync(Stream source, CancellationToken ct)
    {
        var header = new MemoryStream();
        var line = new MemoryStream();
        var chunk = new byte[ChunkSize];
        while (true)
        {
            int n = await source.ReadAsync(chunk, ct);
            if (n == 0)
            {
                // A header with no body and no final newline: keep the last line too (if it fits).
                if (line.Length > 0)
                {
                    AddLine(header, line);
                }

                return header.ToArray();
            }

            int start = 0;
            for (int i = 0; i < n; i++)
            {
                if (chunk[i] != (byte)'\n')
                {
                    continue;
                }

                line.Write(chunk, start, i - start);
                start = i + 1;
                if (LineLength(line) == 0 || !AddLine(header, line))
                {
                    return header.ToArray();
                }

                line.SetLength(0);
            }

            line.Write(chunk, start, n - start);
            if (header.Length + line.Length > MaxHeaderBytes)
            {
                return header.ToArray();
            }
        }
    }

    /// <summary>Copies the rest of <paramref name="source"/>, LF becoming CRLF (existing CRLF kept), ending with a line end.</summary>
    public static async Task<long> CopyAsync(Stream source, Stream destination, CancellationToken ct)
    {
        var chunk = new byte[ChunkSize];
        var output = new byte[ChunkSize * 2 + 2];
        bool previousWasCr = false;
        bool endsWithNewline = true;
        long written = 0;
        while (true)
        {
            int n = await source.ReadAsync(chunk, ct);
            if (n == 0)
            {
                break;
            }

            int o = 0;
            for (int i = 0; i < n; i++)
            {
                byte b = chunk[i];
                if (b == (byte)'\n' && !previousWasCr)
                {
                    output[o++] = (byte)'\r';
                }

                output[o++] = b;
                previousWasCr = b == (byte)'\r';
            }

            endsWithNewline = chunk[n - 1] == (byte)'\n';
            await destination.WriteAsync(output.AsMemory(0, o), ct);
            written += o;
        }

        if (!endsWithNewline)
        {
            await destination.WriteAsync("\r\n"u8.ToArray(), ct);
            written += 2;
        }

        return written;
    }

    /// <summary>Whether any byte from the current position on has the high bit set; the position is restored.</summary>
    public static async Task<bool> HasEightBitAsync(Stream source, CancellationToken ct)
    {
        long origin = source.Position;
        var chunk = new byte[ChunkSize];
        try
        {
            int n;
            while ((n = await source.ReadAsync(chunk, ct)) > 0)
            {
                if (HasEightBit(chunk.AsSpan(0, n)))
                {
                    return true;
                }
            }

            return false;
        }
        finally
        {
            source.Position = origin;
        }
    }

    public static bool HasEightBit(ReadOnlySpan<byte> data) => data.IndexOfAnyInRange((byte)0x80, (byte)0xff) >= 0;

    // Length without a trailing CR, so "\r\n" counts as the empty line too.
    private static long LineLength(MemoryStream line)
    {
        long len = line.Length;
        return len > 0 && line.GetBuffer()[len - 1] == (byte)'\r' ? len - 1 : len;
    }

    private static bool AddLine(MemoryStream header, MemoryStream line)
    {
        long len = LineLength(line);
        if (header.Length + len + 2 > MaxHeaderBytes)
        {
            return false;
        }

        header.Write(line.GetBuffer(), 0, (int)len);
        header.Write("\r\n"u8);
        return true;
    }
}
