// The libcrypto functions behind queue encryption (AES-256-GCM) and plain SHA-256 digests, so
// that nothing in the daemon uses .NET's System.Security.Cryptography and its own OpenSSL shim:
// one binding of libcrypto, loaded only by the roles whose configuration needs it.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static unsafe partial class LibCrypto
{
    internal const int EVP_CTRL_GCM_SET_IVLEN = 0x9;
    internal const int EVP_CTRL_GCM_GET_TAG = 0x10;
    internal const int EVP_CTRL_GCM_SET_TAG = 0x11;

    [LibraryImport(Name, EntryPoint = "EVP_aes_256_gcm")]
    internal static partial nint EvpAes256Gcm();

    [LibraryImport(Name, EntryPoint = "EVP_CIPHER_CTX_new")]
    internal static partial nint EvpCipherCtxNew();

    [LibraryImport(Name, EntryPoint = "EVP_CIPHER_CTX_free")]
    internal static partial void EvpCipherCtxFree(nint ctx);

    [LibraryImport(Name, EntryPoint = "EVP_CIPHER_CTX_ctrl")]
    internal static partial int EvpCipherCtxCtrl(nint ctx, int type, int arg, void* ptr);

    /// <summary><paramref name="enc"/>: 1 encrypts, 0 decrypts, -1 keeps the direction set before.</summary>
    [LibraryImport(Name, EntryPoint = "EVP_CipherInit_ex")]
    internal static partial int EvpCipherInitEx(nint ctx, nint cipher, nint engine, byte* key, byte* iv, int enc);

    [LibraryImport(Name, EntryPoint = "EVP_CipherUpdate")]
    internal static partial int EvpCipherUpdate(nint ctx, byte* output, int* outputLength, byte* input, int inputLength);

    [LibraryImport(Name, EntryPoint = "EVP_CipherFinal_ex")]
    internal static partial int EvpCipherFinalEx(nint ctx, byte* output, int* outputLength);

    [LibraryImport(Name, EntryPoint = "EVP_Digest")]
    internal static partial int EvpDigest(byte* data, nuint count, byte* md, uint* size, nint type, nint engine);
}
