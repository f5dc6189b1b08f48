// The `protocols` and `ciphers` strings as OpenSMTPD (libtls) reads them, turned into what
// OpenSSL takes: a version range, a TLS 1.2 cipher list and TLS 1.3 cipher suites.
// Behaviour reference: libtls tls_config.c (tls_config_parse_protocols, tls_config_set_ciphers).
using Smtpd.Interop;

namespace Smtpd.Tls;

internal static class TlsProtocols
{
    /// <summary>libtls's default cipher choice (TLSv1.2 with AEAD and forward secrecy), in OpenSSL's words.</summary>
    public const string DefaultCipherList = "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:!aNULL";

    [Flags]
    private enum Versions
    {
        None = 0,
        Tls10 = 1,
        Tls11 = 2,
        Tls12 = 4,
        Tls13 = 8,
        All = Tls10 | Tls11 | Tls12 | Tls13,
        Default = Tls12 | Tls13,
    }

    /// <summary>
    /// "tlsv1.2,tlsv1.3", "secure", "all", "!tlsv1.0", separated by commas or colons; the lowest and
    /// highest version chosen (LibSsl.TLS1_x_VERSION), or false for a word libtls does not know.
    /// </summary>
    public static bool TryParse(string text, out int min, out int max)
    {
        min = max = 0;
        Versions set = Versions.None;
        foreach (string raw in text.Split([',', ':']))
        {
            string word = raw.Trim(' ', '\t');
            bool negate = word.StartsWith('!');
            if (negate)
            {
                word = word[1..];
                if (set == Versions.None)
                {
                    set = Versions.All;
                }
            }

            Versions v = word.ToLowerInvariant() switch
            {
                "all" or "legacy" => Versions.All,
                "default" or "secure" => Versions.Default,
                "tlsv1" => Versions.Tls10 | Versions.Tls11,
                "tlsv1.0" => Versions.Tls10,
                "tlsv1.1" => Versions.Tls11,
                "tlsv1.2" => Versions.Tls12,
                "tlsv1.3" => Versions.Tls13,
                _ => Versions.None,
            };
            if (v == Versions.None)
            {
                return false;
            }

            set = negate ? set & ~v : set | v;
        }

        if (set == Versions.None)
        {
            return false;
        }

        int[] codes = [LibSsl.TLS1_VERSION, LibSsl.TLS1_1_VERSION, LibSsl.TLS1_2_VERSION, LibSsl.TLS1_3_VERSION];
        for (int i = 0; i < 4; i++)
        {
            if (((int)set & (1 << i)) != 0)
            {
                min = min == 0 ? codes[i] : min;
                max = codes[i];
            }
        }

        return true;
    }

    /// <summary>
    /// A `ciphers` string: libtls's keywords (secure, default, compat, legacy, insecure, all) or an
    /// OpenSSL cipher list; names of TLS 1.3 suites (TLS_AES_256_GCM_SHA384) in it choose those.
    /// </summary>
    public static (string List, string? Suites) SplitCiphers(string ciphers)
    {
        string list = ciphers.ToLowerInvariant() switch
        {
            "secure" or "default" => DefaultCipherList,
            "compat" => "HIGH:!aNULL",
            "legacy" => "HIGH:MEDIUM:!aNULL",
            "insecure" or "all" => "ALL:!aNULL:!eNULL",
            _ => ciphers,
        };
        string[] parts = list.Split(':', StringSplitOptions.RemoveEmptyEntries);
        string[] suites = [.. parts.Where(p => p.StartsWith("TLS_", StringComparison.Ordinal))];
        string rest = string.Join(':', parts.Where(p => !p.StartsWith("TLS_", StringComparison.Ordinal)));
        return (rest.Length > 0 ? rest : DefaultCipherList, suites.Length > 0 ? string.Join(':', suites) : null);
    }

    /// <summary>Applies ciphers and protocols to <paramref name="context"/>; null on success, else what is wrong.</summary>
    public static string? Apply(OpenSslContext context, string? ciphers, string? protocols, string? curves)
    {
        var (list, suites) = SplitCiphers(ciphers ?? "default");
        if (context.SetCipherList(list) is { } e1)
        {
            return $"invalid ciphers \"{ciphers}\": {e1}";
        }

        if (suites is not null && context.SetCipherSuites(suites) is { } e2)
        {
            return $"invalid ciphers \"{ciphers}\": {e2}";
        }

        if (protocols is not null)
        {
            if (!TryParse(protocols, out int min, out int max))
            {
                return $"failed to parse protocols \"{protocols}\"";
            }

            context.SetProtocolRange(min, max);
        }

        if (curves is not null && context.SetGroups(curves.Replace(',', ':')) is { } e3)
        {
            return $"invalid curves \"{curves}\": {e3}";
        }

        return null;
    }
}
