// Loads, before chroot, what the runtime would otherwise load lazily from files that are out of
// reach afterwards: OpenSSL (its first use inside a chroot aborts the process), the local time
// zone (log timestamps), the syslog socket. See shared/DESIGN.md section 1, "Measured pitfall".
using System.Security.Cryptography;

namespace Smtpd.Runtime;

internal static class WarmUp
{
    public static void Run(bool crypto)
    {
        _ = TimeZoneInfo.Local;
        _ = DateTime.Now;

        // The cryptographic RNG is OpenSSL too: roles without crypto (scheduler, control) never
        // map libcrypto at all, which saves each of them about 1 MiB of PSS.
        if (crypto)
        {
            Span<byte> random = stackalloc byte[16];
            RandomNumberGenerator.Fill(random);
            _ = SHA256.HashData(random);
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            _ = key.SignData(random, HashAlgorithmName.SHA256);
        }
    }
}
