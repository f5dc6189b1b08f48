// A small, strict MIME reader for checking what the bounce builder writes: header fields (unfolded),
// content types with parameters, and multipart bodies split at their boundaries (RFC 2046 5.1.1).
namespace Smtpd.Tests.Mime;

internal sealed class MimeEntity
{
    public List<KeyValuePair<string, string>> Headers { get; } = [];

    public string Body { get; set; } = "";

    public string Preamble { get; set; } = "";

    public List<MimeEntity> Parts { get; } = [];

    public string? Header(string name) =>
        Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    public string ContentType => (Header("Content-Type") ?? "text/plain").Split(';')[0].Trim().ToLowerInvariant();

    public string? Parameter(string name)
    {
        foreach (var piece in (Header("Content-Type") ?? "").Split(';').Skip(1))
        {
            int eq = piece.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && string.Equals(piece[..eq].Trim(), name, StringComparison.OrdinalIgnoreCase))
            {
                return piece[(eq + 1)..].Trim().Trim('"');
            }
        }

        return null;
    }
}

internal static class MimeReader
{
    public static MimeEntity Parse(string text)
    {
        Assert.DoesNotMatch("[^\r]\n", text);
        var entity = new MimeEntity();
        int pos = 0;
        while (true)
        {
            int eol = text.IndexOf("\r\n", pos, StringComparison.Ordinal);
            if (eol < 0)
            {
                eol = text.Length;
            }

            string line = text[pos..eol];
            pos = Math.Min(text.Length, eol + 2);
            if (line.Length == 0)
            {
                break;
            }

            if (line[0] is ' ' or '\t')
            {
                Assert.NotEmpty(entity.Headers);
                var last = entity.Headers[^1];
                entity.Headers[^1] = new(last.Key, last.Value + line);
                continue;
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            Assert.True(colon > 0, "not a header field: " + line);
            entity.Headers.Add(new(line[..colon], line[(colon + 1)..].Trim()));
            if (eol >= text.Length)
            {
                break;
            }
        }

        entity.Body = text[pos..];
        if (entity.ContentType.StartsWith("multipart/", StringComparison.Ordinal))
        {
            string boundary = entity.Parameter("boundary") ?? throw new InvalidOperationException("no boundary");
            string delimiter = "\r\n--" + boundary;
            string[] segments = ("\r\n" + entity.Body).Split(delimiter);
            entity.Preamble = segments[0];
            bool closed = false;
            foreach (var segment in segments.Skip(1))
            {
                Assert.False(closed, "content after the closing delimiter");
                if (segment.StartsWith("--", StringComparison.Ordinal))
                {
                    closed = true;
                    continue;
                }

                Assert.StartsWith("\r\n", segment);
                entity.Parts.Add(Parse(segment[2..]));
            }

            Assert.True(closed, "no closing delimiter");
        }

        return entity;
    }

    /// <summary>The field groups of a message/delivery-status body: per-message first, then one per recipient.</summary>
    public static List<MimeEntity> DeliveryStatusGroups(string body)
    {
        var groups = new List<MimeEntity>();
        foreach (var block in body.Split("\r\n\r\n"))
        {
            if (block.Trim().Length > 0)
            {
                groups.Add(Parse(block + "\r\n\r\n"));
            }
        }

        return groups;
    }
}
