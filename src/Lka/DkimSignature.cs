// Builds the DKIM-Signature header field (RFC 6376 section 3.5) of one message: relaxed/relaxed,
// bh= the SHA-256 of the relaxed body, h= the signed headers present in the message (for a name
// the message has several times, the last one first, section 5.4.2), and b= the key's signature
// over the relaxed headers and this field with b= empty. For ed25519-sha256 (RFC 8463) the key
// signs the SHA-256 of that data; for rsa-sha256 OpenSSL hashes and signs it (PKCS#1 v1.5).
using System.Text;
using Smtpd.Interop;

namespace Smtpd.Lka;

internal static class DkimSignature
{
    private const int FoldWidth = 72;

    /// <summary>
    /// The folded field ("DKIM-Signature: v=1; ..." and continuation lines, CRLF between them,
    /// none at the end), or null with the reason when the key cannot sign.
    /// </summary>
    public static string? Build(
        IReadOnlyList<(string Name, string Value)> fields,
        IEnumerable<string> bodyLines,
        IReadOnlyList<string> signedHeaders,
        string algorithm,
        string domain,
        string selector,
        long timestamp,
        OpenSslSigningKey key,
        out string error)
    {
        string bodyHash = Convert.ToBase64String(OpenSslDigest.Sha256(Encoding.Latin1.GetBytes(DkimRelaxed.Body(bodyLines))));

        var headerData = new StringBuilder();
        var names = new List<string>();
        var used = new HashSet<int>();
        foreach (string name in signedHeaders)
        {
            for (int i = fields.Count - 1; i >= 0; i--)
            {
                if (!used.Contains(i) && string.Equals(fields[i].Name.Trim(' ', '\t'), name, StringComparison.OrdinalIgnoreCase))
                {
                    used.Add(i);
                    names.Add(name);
                    headerData.Append(DkimRelaxed.Header(fields[i].Name, fields[i].Value));
                    break;
                }
            }
        }

        var field = new StringBuilder();
        field.Append("DKIM-Signature: v=1; a=").Append(algorithm).Append("; d=").Append(domain).Append("; s=").Append(selector).Append(';');
        field.Append("\r\n\tc=relaxed/relaxed; t=").Append(timestamp).Append(';');
        AppendFolded(field, "h=" + string.Join(':', names) + ";", ':');
        AppendFolded(field, "bh=" + bodyHash + ";", null);
        field.Append("\r\n\tb=");

        int colon = field.ToString().IndexOf(':');
        string template = field.ToString();
        headerData.Append(DkimRelaxed.Header(template[..colon], template[(colon + 1)..], lineEnd: false));
        byte[] data = Encoding.Latin1.GetBytes(headerData.ToString());
        byte[]? signature = key.Sign(algorithm == "ed25519-sha256" ? OpenSslDigest.Sha256(data) : data, out error);
        if (signature is null)
        {
            return null;
        }

        string b = Convert.ToBase64String(signature);
        for (int at = 0; at < b.Length; at += FoldWidth)
        {
            if (at > 0)
            {
                field.Append("\r\n\t ");
            }

            field.Append(b.AsSpan(at, Math.Min(FoldWidth, b.Length - at)));
        }

        return field.ToString();
    }

    /// <summary>Appends a tag on its own continuation line(s), breaking long ones after <paramref name="breakAfter"/> (or anywhere).</summary>
    private static void AppendFolded(StringBuilder field, string tag, char? breakAfter)
    {
        field.Append("\r\n\t");
        int width = 0;
        int start = 0;
        for (int i = 0; i < tag.Length; i++)
        {
            bool canBreak = breakAfter is null || tag[i] == breakAfter;
            if (canBreak && width + (i + 1 - start) > FoldWidth && width > 0)
            {
                field.Append("\r\n\t ");
                width = 0;
            }

            if (canBreak || i == tag.Length - 1)
            {
                field.Append(tag.AsSpan(start, i + 1 - start));
                width += i + 1 - start;
                start = i + 1;
            }
        }
    }
}
