// SHA-256 on libcrypto (EVP_Digest), for the DKIM signer and the crypto warm-up.
namespace Smtpd.Interop;

internal static unsafe class OpenSslDigest
{
    public const int Sha256Size = 32;

    public static byte[] Sha256(ReadOnlySpan<byte> data)
    {
        byte[] md = new byte[Sha256Size];
        uint size = 0;
        fixed (byte* p = data, pMd = md)
        {
            if (LibCrypto.EvpDigest(p, (nuint)data.Length, pMd, &size, LibCrypto.EvpSha256(), 0) != 1 || size != Sha256Size)
            {
                throw new InvalidOperationException("EVP_Digest(SHA-256) failed: " + OpenSslError.Drain());
            }
        }

        return md;
    }
}
