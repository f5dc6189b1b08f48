// Loads, before chroot, what the runtime would otherwise load lazily from files that are out of
// reach afterwards: OpenSSL (its first use inside a chroot aborts the process), the local time
// zone (log timestamps), the syslog socket. See shared/DESIGN.md section 1, "Measured pitfall".
using System.Security.Cryptography;

namespace Smtpd.Runtime;

internal static class WarmUp
{
    public static void Run()
    {
        _ = TimeZoneInfo.Local;
        _ = DateTime.Now;
    }

    /// <summary>Maps OpenSSL, for a role whose configuration needs it (see RoleProcess.NeedsCrypto).</summary>
    public static void Crypto()
    {
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        _ = SHA256.HashData(random);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _ = key.SignData(random, HashAlgorithmName.SHA256);

        // Our own bindings (the TLS layer, the crypto role's keys) resolve the same libraries
        // now, while their files are still in reach.
        _ = Interop.LibSsl.OpenSslInitSsl(0, 0);
        Interop.OpenSslError.Clear();
    }
}
