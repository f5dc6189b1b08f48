// A private key that signs in this process (the builtin DKIM signer's RSA or Ed25519 key), through
// EVP_DigestSign: RSA PKCS#1 v1.5 over SHA-256 of the data, or Ed25519 (PureEdDSA) over the data
// itself. The key is read from PEM text while the process is still root; signing needs no file.
namespace Smtpd.Interop;

internal sealed unsafe class OpenSslSigningKey : IDisposable
{
    private nint _pkey;

    private OpenSslSigningKey(nint pkey) => _pkey = pkey;

    public bool IsRsa => LibCrypto.EvpPkeyGetBaseId(_pkey) == LibCrypto.EVP_PKEY_RSA;

    public bool IsEd25519 => LibCrypto.EvpPkeyGetBaseId(_pkey) == LibCrypto.EVP_PKEY_ED25519;

    /// <summary>The key in PEM text <paramref name="pem"/>, or null with OpenSSL's reason.</summary>
    public static OpenSslSigningKey? LoadPem(ReadOnlySpan<byte> pem, out string error)
    {
        error = string.Empty;
        OpenSslError.Clear();
        fixed (byte* p = pem)
        {
            nint bio = LibCrypto.BioNewMemBuf(p, pem.Length);
            nint pkey = bio == 0 ? 0 : LibCrypto.PemReadBioPrivateKey(bio, 0, 0, 0);
            if (bio != 0)
            {
                _ = LibCrypto.BioFree(bio);
            }

            if (pkey == 0)
            {
                error = OpenSslError.DrainReason("no private key found");
                return null;
            }

            return new OpenSslSigningKey(pkey);
        }
    }

    /// <summary>
    /// The signature of <paramref name="data"/>: with SHA-256 for an RSA key, without a digest
    /// for Ed25519 (which hashes internally). Null with OpenSSL's reason when signing fails.
    /// Safe to call from several threads at once: each call has its own context.
    /// </summary>
    public byte[]? Sign(ReadOnlySpan<byte> data, out string error)
    {
        error = string.Empty;
        nint ctx = LibCrypto.EvpMdCtxNew();
        if (ctx == 0)
        {
            error = OpenSslError.DrainReason("out of memory");
            return null;
        }

        try
        {
            nint md = IsRsa ? LibCrypto.EvpSha256() : 0;
            if (LibCrypto.EvpDigestSignInit(ctx, 0, md, 0, _pkey) != 1)
            {
                error = OpenSslError.DrainReason("cannot start signing");
                return null;
            }

            fixed (byte* tbs = data)
            {
                nuint length = 0;
                if (LibCrypto.EvpDigestSign(ctx, null, &length, tbs, (nuint)data.Length) != 1)
                {
                    error = OpenSslError.DrainReason("cannot size the signature");
                    return null;
                }

                byte[] signature = new byte[(int)length];
                fixed (byte* sig = signature)
                {
                    if (LibCrypto.EvpDigestSign(ctx, sig, &length, tbs, (nuint)data.Length) != 1)
                    {
                        error = OpenSslError.DrainReason("signing failed");
                        return null;
                    }
                }

                return signature[..(int)length];
            }
        }
        finally
        {
            LibCrypto.EvpMdCtxFree(ctx);
        }
    }

    public void Dispose()
    {
        if (_pkey != 0)
        {
            LibCrypto.EvpPkeyFree(_pkey);
            _pkey = 0;
        }
    }
}
