// A small, strict MIME reader for checking what the bounce builder writes: header fields (unfolded),
// content types with parameters, and multipart bodies split at their boundaries (RFC 2046 5.1.1).
namespace Smtpd.Tests.Mime;

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
