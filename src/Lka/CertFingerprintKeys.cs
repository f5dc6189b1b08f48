// The keys under which a fingerprints table (relay `tls fingerprint <table>`, listen
// `fingerprints <table>`) may hold one certificate's SHA-256 digest: "SHA256:hex" as our
// cert-check log lines print it, bare hex, and hex pairs joined by colons (Postfix's and
// `openssl x509 -fingerprint`'s form), in either case.
namespace Smtpd.Lka;

internal static class CertFingerprintKeys
{
    public static IEnumerable<string> Of(string fingerprint)
    {
        string hex = fingerprint.StartsWith("SHA256:", StringComparison.OrdinalIgnoreCase) ? fingerprint[7..] : fingerprint;
        hex = hex.Replace(":", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
        string pairs = string.Join(':', Enumerable.Range(0, hex.Length / 2).Select(i => hex.Substring(i * 2, 2)));
        yield return "SHA256:" + hex;
        yield return "sha256:" + hex;
        yield return hex;
        yield return pairs;
        yield return pairs.ToUpperInvariant();
    }
}
