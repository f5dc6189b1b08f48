// One parsed MIME entity for the tests: header fields in order (unfolded), body, and sub-parts.
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
