// A private key loaded from a PEM file, for the crypto role only: it performs the operation a
// handshake in the network-facing process forwarded (OpenSslKeyProxy) and hands back the result.
// Behaviour reference: usr.sbin/smtpd/ca.c (ca_init, ca_imsg IMSG_CA_RSA_PRIVENC/PRIVDEC, ECDSA_SIGN).
using Smtpd.Ipc.Messages;

namespace Smtpd.Interop;

internal sealed unsafe class OpenSslPrivateKey : IDisposable
{
    private nint _pkey;
    private nint _rsa;
    private nint _ec;

    private OpenSslPrivateKey(nint pkey)
    {
        _pkey = pkey;
        int id = LibCrypto.EvpPkeyGetBaseId(pkey);
        if (id == LibCrypto.EVP_PKEY_RSA)
        {
            _rsa = LibCrypto.EvpPkeyGet1Rsa(pkey);
        }
        else if (id == LibCrypto.EVP_PKEY_EC)
        {
            _ec = LibCrypto.EvpPkeyGet1EcKey(pkey);
        }
    }

    /// <summary>The EVP_PKEY, for checks against a certificate.</summary>
    public nint Handle => _pkey;

    /// <summary>Whether OpenSslKeyProxy can stand in for this key (RSA or EC).</summary>
    public bool Supported => _rsa != 0 || _ec != 0;

    /// <summary>The key in <paramref name="path"/> (PEM, unencrypted), or null with OpenSSL's reason.</summary>
    public static OpenSslPrivateKey? Load(string path, out string error)
    {
        error = string.Empty;
        OpenSslError.Clear();
        nint bio = LibCrypto.BioNewFile(path, "r");
        if (bio == 0)
        {
            error = OpenSslError.DrainReason("cannot open");
            return null;
        }

        nint pkey = LibCrypto.PemReadBioPrivateKey(bio, 0, 0, 0);
        _ = LibCrypto.BioFree(bio);
        if (pkey == 0)
        {
            error = OpenSslError.DrainReason("no private key found");
            return null;
        }

        return new OpenSslPrivateKey(pkey);
    }

    /// <summary>The key in PEM text <paramref name="pem"/>, or null with OpenSSL's reason.</summary>
    public static OpenSslPrivateKey? LoadPem(ReadOnlySpan<byte> pem, out string error)
    {
        error = string.Empty;
        OpenSslError.Clear();
        fixed (byte* p = pem)
        {
            nint bio = LibCrypto.BioNewMemBuf(p, pem.Length);
            nint pkey = LibCrypto.PemReadBioPrivateKey(bio, 0, 0, 0);
            _ = LibCrypto.BioFree(bio);
            if (pkey == 0)
            {
                error = OpenSslError.DrainReason("no private key found");
                return null;
            }

            return new OpenSslPrivateKey(pkey);
        }
    }

    /// <summary>The result of <paramref name="op"/> on <paramref name="input"/>, or null when it fails or does not fit the key.</summary>
    public byte[]? Perform(KeyOperation op, int parameter, ReadOnlySpan<byte> input)
    {
        OpenSslError.Clear();
        if (op is KeyOperation.RsaPrivateEncrypt or KeyOperation.RsaPrivateDecrypt && _rsa != 0)
        {
            byte[] output = new byte[LibCrypto.RsaSize(_rsa)];
            fixed (byte* from = input)
            fixed (byte* to = output)
            {
                int n = op == KeyOperation.RsaPrivateEncrypt
                    ? LibCrypto.RsaPrivateEncrypt(input.Length, from, to, _rsa, parameter)
                    : LibCrypto.RsaPrivateDecrypt(input.Length, from, to, _rsa, parameter);
                OpenSslError.Clear();
                return n < 0 ? null : output[..n];
            }
        }

        if (op == KeyOperation.EcdsaSign && _ec != 0)
        {
            byte[] output = new byte[LibCrypto.EcdsaSize(_ec)];
            uint length = 0;
            fixed (byte* dgst = input)
            fixed (byte* sig = output)
            {
                int ok = LibCrypto.EcdsaSign(parameter, dgst, input.Length, sig, &length, _ec);
                OpenSslError.Clear();
                return ok != 1 ? null : output[..(int)length];
            }
        }

        return null;
    }

    public void Dispose()
    {
        if (_rsa != 0)
        {
            LibCrypto.RsaFree(_rsa);
            _rsa = 0;
        }

        if (_ec != 0)
        {
            LibCrypto.EcKeyFree(_ec);
            _ec = 0;
        }

        if (_pkey != 0)
        {
            LibCrypto.EvpPkeyFree(_pkey);
            _pkey = 0;
        }
    }
}
