// Public-key-only stand-ins for our certificates' private keys, for the network-facing process:
// an RSA or EC key carrying just the certificate's public half, whose private operation
// (RSA_private_encrypt / _decrypt, ECDSA_sign) is a hook that hands the input to Forward, which
// asks the crypto role holding the real key. OpenSSL treats such a key as "foreign" and takes
// its legacy path, which calls the hooks (PSS padding for TLS 1.3 is added before the hook).
// Behaviour reference: usr.sbin/smtpd/ca.c (rsae_priv_enc, rsae_priv_dec, ecdsae_do_sign, ca_init).
using System.Runtime.InteropServices;
using Smtpd.Ipc.Messages;

namespace Smtpd.Interop;

internal static unsafe class OpenSslKeyProxy
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<nint, string> Names = [];
    private static nint s_rsaMethod;
    private static nint s_ecMethod;

    /// <summary>
    /// Performs <c>op</c> with the named key elsewhere: (key name, operation, padding or digest
    /// type, input) → output, or null on failure. Called on the thread running the handshake.
    /// </summary>
    public static Func<string, KeyOperation, int, byte[], byte[]?>? Forward { get; set; }

    /// <summary>
    /// A new EVP_PKEY with the public half of certificate <paramref name="x509"/>'s key whose
    /// private operations go to Forward under <paramref name="name"/>; 0 with an error otherwise.
    /// </summary>
    public static nint Create(nint x509, string name, out string error)
    {
        error = string.Empty;
        nint pub = LibCrypto.X509GetPubkey(x509);
        if (pub == 0)
        {
            error = OpenSslError.Drain("certificate without a public key");
            return 0;
        }

        try
        {
            lock (Gate)
            {
                int id = LibCrypto.EvpPkeyGetBaseId(pub);
                nint proxy = LibCrypto.EvpPkeyNew();
                if (id == LibCrypto.EVP_PKEY_RSA)
                {
                    nint rsa = LibCrypto.EvpPkeyGet1Rsa(pub);
                    // The method first: EVP_PKEY_set1_RSA decides there whether the key is foreign.
                    if (rsa == 0 || LibCrypto.RsaSetMethod(rsa, RsaMethod()) != 1 || LibCrypto.EvpPkeySet1Rsa(proxy, rsa) != 1)
                    {
                        error = OpenSslError.Drain("cannot make the RSA key stand-in");
                        LibCrypto.EvpPkeyFree(proxy);
                        LibCrypto.RsaFree(rsa);
                        return 0;
                    }

                    Names[rsa] = name;
                    LibCrypto.RsaFree(rsa);
                    return proxy;
                }

                if (id == LibCrypto.EVP_PKEY_EC)
                {
                    nint ec = LibCrypto.EvpPkeyGet1EcKey(pub);
                    if (ec == 0 || LibCrypto.EcKeySetMethod(ec, EcMethod()) != 1 || LibCrypto.EvpPkeySet1EcKey(proxy, ec) != 1)
                    {
                        error = OpenSslError.Drain("cannot make the EC key stand-in");
                        LibCrypto.EvpPkeyFree(proxy);
                        LibCrypto.EcKeyFree(ec);
                        return 0;
                    }

                    Names[ec] = name;
                    LibCrypto.EcKeyFree(ec);
                    return proxy;
                }

                LibCrypto.EvpPkeyFree(proxy);
                error = "unsupported key type (RSA and EC keys are supported)";
                return 0;
            }
        }
        finally
        {
            LibCrypto.EvpPkeyFree(pub);
        }
    }

    private static nint RsaMethod()
    {
        if (s_rsaMethod == 0)
        {
            nint m = LibCrypto.RsaMethDup(LibCrypto.RsaGetDefaultMethod());
            _ = LibCrypto.RsaMethSetPrivEnc(m, &RsaPrivateEncrypt);
            _ = LibCrypto.RsaMethSetPrivDec(m, &RsaPrivateDecrypt);
            s_rsaMethod = m;
        }

        return s_rsaMethod;
    }

    private static nint EcMethod()
    {
        if (s_ecMethod == 0)
        {
            nint m = LibCrypto.EcKeyMethodNew(LibCrypto.EcKeyGetDefaultMethod());
            nint sign, setup, sig;
            LibCrypto.EcKeyMethodGetSign(m, &sign, &setup, &sig);
            delegate* unmanaged<int, byte*, int, byte*, uint*, nint, nint, nint, int> hook = &EcdsaSign;
            LibCrypto.EcKeyMethodSetSign(m, (nint)hook, setup, sig);
            s_ecMethod = m;
        }

        return s_ecMethod;
    }

    private static string? NameOf(nint key)
    {
        lock (Gate)
        {
            return Names.TryGetValue(key, out string? name) ? name : null;
        }
    }

    private static byte[]? Ask(nint key, KeyOperation op, int parameter, byte* input, int length)
    {
        try
        {
            string? name = NameOf(key);
            return name is null || Forward is not { } forward || length < 0 ? null : forward(name, op, parameter, new ReadOnlySpan<byte>(input, length).ToArray());
        }
        catch (Exception)
        {
            // Nothing may unwind through OpenSSL's frames: a failure is a failed signature.
            return null;
        }
    }

    [UnmanagedCallersOnly]
    private static int RsaPrivateEncrypt(int flen, byte* from, byte* to, nint rsa, int padding) =>
        Copy(Ask(rsa, KeyOperation.RsaPrivateEncrypt, padding, from, flen), to, LibCrypto.RsaSize(rsa));

    [UnmanagedCallersOnly]
    private static int RsaPrivateDecrypt(int flen, byte* from, byte* to, nint rsa, int padding) =>
        Copy(Ask(rsa, KeyOperation.RsaPrivateDecrypt, padding, from, flen), to, LibCrypto.RsaSize(rsa));

    [UnmanagedCallersOnly]
    private static int EcdsaSign(int type, byte* dgst, int dlen, byte* sig, uint* siglen, nint kinv, nint r, nint ec)
    {
        int n = Copy(Ask(ec, KeyOperation.EcdsaSign, type, dgst, dlen), sig, LibCrypto.EcdsaSize(ec));
        if (n < 0)
        {
            *siglen = 0;
            return 0;
        }

        *siglen = (uint)n;
        return 1;
    }

    private static int Copy(byte[]? result, byte* to, int room)
    {
        if (result is null || result.Length > room)
        {
            return -1;
        }

        Marshal.Copy(result, 0, (nint)to, result.Length);
        return result.Length;
    }
}
