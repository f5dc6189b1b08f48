// Loads, before chroot, what the runtime would otherwise load lazily from files that are out of
// reach afterwards: OpenSSL (its first use inside a chroot aborts the process), the local time
// zone (log timestamps), the syslog socket. See shared/DESIGN.md section 1, "Measured pitfall".
using Smtpd.Interop;

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
        // Our bindings (the TLS layer, the crypto role's keys, queue encryption, DKIM) resolve
        // libssl and libcrypto now, while their files are still in reach, and OpenSSL reads its
        // configuration and fetches the algorithms used without a handshake: a digest, AES-GCM.
        _ = LibSsl.OpenSslInitSsl(0, 0);
        Span<byte> block = stackalloc byte[OpenSslAesGcm.KeySize];
        Posix.FillRandom(block);
        _ = OpenSslDigest.Sha256(block);
        Span<byte> tag = stackalloc byte[OpenSslAesGcm.TagSize];
        OpenSslAesGcm.Encrypt(block, block[..OpenSslAesGcm.IvSize], block, block, tag);
        OpenSslError.Clear();
    }
}
