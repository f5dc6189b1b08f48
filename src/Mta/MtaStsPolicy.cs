// An MTA-STS policy (RFC 8461 section 3.2) as served at https://mta-sts.DOMAIN/.well-known/mta-sts.txt:
// "key: value" lines, version STSv1, mode enforce|testing|none, max_age in seconds, and the MX
// host patterns ("mx.example.org", "*.example.org": one leftmost label) mail may go to.
using System.Globalization;

namespace Smtpd.Mta;

internal enum MtaStsMode
{
    None,
    Testing,
    Enforce,
}

internal sealed record MtaStsPolicy(MtaStsMode Mode, long MaxAge, IReadOnlyList<string> Mx)
{
    /// <summary>RFC 8461 section 3.2: max_age at most 31557600 seconds (about a year).</summary>
    public const long MaxMaxAge = 31557600;

    /// <summary>The policy in <paramref name="text"/>, or null with the reason when it is not a valid STSv1 policy.</summary>
    public static MtaStsPolicy? Parse(string text, out string error)
    {
        string? version = null, mode = null, maxAge = null;
        var mx = new List<string>();
        foreach (var raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (line.Trim().Length == 0 || colon <= 0)
            {
                continue;
            }

            string key = line[..colon].Trim();
            string value = line[(colon + 1)..].Trim();
            switch (key)
            {
                case "version":
                    version ??= value;
                    break;
                case "mode":
                    mode ??= value;
                    break;
                case "max_age":
                    maxAge ??= value;
                    break;
                case "mx":
                    mx.Add(value.TrimEnd('.').ToLowerInvariant());
                    break;
            }
        }

        error = version != "STSv1" ? "version is not STSv1"
            : mode is not ("enforce" or "testing" or "none") ? "mode is not enforce, testing or none"
            : !long.TryParse(maxAge, NumberStyles.None, CultureInfo.InvariantCulture, out long age) || age > MaxMaxAge ? "max_age is missing or invalid"
            : mode != "none" && mx.Count == 0 ? "no mx pattern"
            : string.Empty;
        if (error.Length > 0)
        {
            return null;
        }

        var m = mode switch
        {
            "enforce" => MtaStsMode.Enforce,
            "testing" => MtaStsMode.Testing,
            _ => MtaStsMode.None,
        };
        return new MtaStsPolicy(m, long.Parse(maxAge!, CultureInfo.InvariantCulture), mx);
    }

    /// <summary>Whether MX host <paramref name="host"/> is one of the policy's (RFC 8461 section 4.1).</summary>
    public bool Permits(string host)
    {
        string h = host.TrimEnd('.').ToLowerInvariant();
        foreach (var pattern in Mx)
        {
            if (pattern.StartsWith("*.", StringComparison.Ordinal))
            {
                int dot = h.IndexOf('.', StringComparison.Ordinal);
                if (dot > 0 && string.Equals(h[(dot + 1)..], pattern[2..], StringComparison.Ordinal))
                {
                    return true;
                }
            }
            else if (string.Equals(h, pattern, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    public string ModeText => Mode switch
    {
        MtaStsMode.Enforce => "enforce",
        MtaStsMode.Testing => "testing",
        _ => "none",
    };
}
