// AES-256-GCM with a 12-byte IV, a 16-byte tag and no associated data, on libcrypto's EVP
// interface (OpenSMTPD's crypto.c does the same). One cipher context per call: queue files are
// encrypted whole, so its setup is nothing next to the file's I/O.
namespace Smtpd.Interop;

internal static unsafe class OpenSslAesGcm
{
    public const int KeySize = 32;
    public const int IvSize = 12;
    public const int TagSize = 16;

    public static void Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> plain, Span<byte> cipher, Span<byte> tag)
    {
        Check(key, iv, tag, plain.Length, cipher.Length);
        nint ctx = Begin(key, iv, encrypt: true);
        try
        {
            fixed (byte* pIn = plain, pOut = cipher, pTag = tag)
            {
                Update(ctx, pIn, pOut, plain.Length);
                int n = 0;
                Ok(LibCrypto.EvpCipherFinalEx(ctx, pOut + plain.Length, &n) == 1 && n == 0, "EVP_CipherFinal_ex");
                Ok(LibCrypto.EvpCipherCtxCtrl(ctx, LibCrypto.EVP_CTRL_GCM_GET_TAG, TagSize, pTag) == 1, "EVP_CTRL_GCM_GET_TAG");
            }
        }
        finally
        {
            LibCrypto.EvpCipherCtxFree(ctx);
        }
    }

    /// <summary>False when the tag does not authenticate the ciphertext (then <paramref name="plain"/> is cleared).</summary>
    public static bool TryDecrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> cipher, ReadOnlySpan<byte> tag, Span<byte> plain)
    {
        Check(key, iv, tag, cipher.Length, plain.Length);
        nint ctx = Begin(key, iv, encrypt: false);
        try
        {
            fixed (byte* pIn = cipher, pOut = plain, pTag = tag)
            {
                Update(ctx, pIn, pOut, cipher.Length);
                Ok(LibCrypto.EvpCipherCtxCtrl(ctx, LibCrypto.EVP_CTRL_GCM_SET_TAG, TagSize, pTag) == 1, "EVP_CTRL_GCM_SET_TAG");
                int n = 0;
                if (LibCrypto.EvpCipherFinalEx(ctx, pOut + cipher.Length, &n) != 1)
                {
                    OpenSslError.Clear();
                    plain.Clear();
                    return false;
                }

                return true;
            }
        }
        finally
        {
            LibCrypto.EvpCipherCtxFree(ctx);
        }
    }

    private static void Check(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> tag, int inputLength, int outputLength)
    {
        if (key.Length != KeySize || iv.Length != IvSize || tag.Length != TagSize || inputLength != outputLength)
        {
            throw new ArgumentException("AES-256-GCM: key 32, IV 12, tag 16 bytes, output as long as input");
        }
    }

    private static nint Begin(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, bool encrypt)
    {
        nint ctx = LibCrypto.EvpCipherCtxNew();
        Ok(ctx != 0, "EVP_CIPHER_CTX_new");
        int enc = encrypt ? 1 : 0;
        fixed (byte* pKey = key, pIv = iv)
        {
            if (LibCrypto.EvpCipherInitEx(ctx, LibCrypto.EvpAes256Gcm(), 0, null, null, enc) != 1
                || LibCrypto.EvpCipherCtxCtrl(ctx, LibCrypto.EVP_CTRL_GCM_SET_IVLEN, IvSize, null) != 1
                || LibCrypto.EvpCipherInitEx(ctx, 0, 0, pKey, pIv, enc) != 1)
            {
                LibCrypto.EvpCipherCtxFree(ctx);
                Ok(false, "EVP_CipherInit_ex");
            }
        }

        return ctx;
    }

    private static void Update(nint ctx, byte* input, byte* output, int length)
    {
        // GCM is a stream mode: the output of an update is exactly as long as its input.
        int n = 0;
        Ok(length == 0 || (LibCrypto.EvpCipherUpdate(ctx, output, &n, input, length) == 1 && n == length), "EVP_CipherUpdate");
    }

    private static void Ok(bool ok, string what)
    {
        if (!ok)
        {
            string detail = OpenSslError.Drain();
            throw new InvalidOperationException($"{what} failed: {detail}");
        }
    }
}
