// The libcrypto 3 functions the TLS layer and the crypto role need: memory BIOs, PEM files,
// certificates (names, fingerprints, host checks), and the legacy RSA_METHOD / EC_KEY_METHOD
// hooks through which a handshake's private-key operation is forwarded to the crypto role
// (deprecated in OpenSSL 3 but exported, as OpenSMTPD's ca.c uses them).
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static unsafe partial class LibCrypto
{
    internal const int EVP_PKEY_RSA = 6;
    internal const int EVP_PKEY_EC = 408;
    internal const int EVP_PKEY_ED25519 = 1087;
    internal const int BIO_CTRL_PENDING = 10;
    internal const int X509_V_OK = 0;

    [LibraryImport(Name, EntryPoint = "OPENSSL_init_crypto")]
    internal static partial int OpenSslInitCrypto(ulong opts, nint settings);

    [LibraryImport(Name, EntryPoint = "ERR_get_error")]
    internal static partial ulong ErrGetError();

    [LibraryImport(Name, EntryPoint = "ERR_clear_error")]
    internal static partial void ErrClearError();

    [LibraryImport(Name, EntryPoint = "ERR_error_string_n")]
    internal static partial void ErrErrorStringN(ulong e, byte* buf, nuint len);

    [LibraryImport(Name, EntryPoint = "ERR_reason_error_string")]
    internal static partial byte* ErrReasonErrorString(ulong e);

    [LibraryImport(Name, EntryPoint = "BIO_s_mem")]
    internal static partial nint BioSMem();

    [LibraryImport(Name, EntryPoint = "BIO_new")]
    internal static partial nint BioNew(nint type);

    [LibraryImport(Name, EntryPoint = "BIO_new_file", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint BioNewFile(string path, string mode);

    [LibraryImport(Name, EntryPoint = "BIO_new_mem_buf")]
    internal static partial nint BioNewMemBuf(byte* buf, int len);

    [LibraryImport(Name, EntryPoint = "BIO_free")]
    internal static partial int BioFree(nint bio);

    [LibraryImport(Name, EntryPoint = "BIO_read")]
    internal static partial int BioRead(nint bio, byte* data, int len);

    [LibraryImport(Name, EntryPoint = "BIO_write")]
    internal static partial int BioWrite(nint bio, byte* data, int len);

    [LibraryImport(Name, EntryPoint = "BIO_ctrl_pending")]
    internal static partial nuint BioCtrlPending(nint bio);

    [LibraryImport(Name, EntryPoint = "PEM_read_bio_PrivateKey")]
    internal static partial nint PemReadBioPrivateKey(nint bio, nint x, nint cb, nint u);

    [LibraryImport(Name, EntryPoint = "PEM_read_bio_X509")]
    internal static partial nint PemReadBioX509(nint bio, nint x, nint cb, nint u);

    [LibraryImport(Name, EntryPoint = "X509_free")]
    internal static partial void X509Free(nint x);

    [LibraryImport(Name, EntryPoint = "X509_get_pubkey")]
    internal static partial nint X509GetPubkey(nint x);

    [LibraryImport(Name, EntryPoint = "X509_get_subject_name")]
    internal static partial nint X509GetSubjectName(nint x);

    [LibraryImport(Name, EntryPoint = "X509_NAME_oneline")]
    internal static partial byte* X509NameOneline(nint name, byte* buf, int size);

    [LibraryImport(Name, EntryPoint = "X509_digest")]
    internal static partial int X509Digest(nint x, nint md, byte* digest, uint* len);

    [LibraryImport(Name, EntryPoint = "X509_check_host")]
    internal static partial int X509CheckHost(nint x, byte* name, nuint namelen, uint flags, nint peername);

    [LibraryImport(Name, EntryPoint = "X509_get0_notBefore")]
    internal static partial nint X509Get0NotBefore(nint x);

    [LibraryImport(Name, EntryPoint = "X509_get0_notAfter")]
    internal static partial nint X509Get0NotAfter(nint x);

    /// <summary>-1 when the time is before now, 1 after, 0 on error.</summary>
    [LibraryImport(Name, EntryPoint = "X509_cmp_current_time")]
    internal static partial int X509CmpCurrentTime(nint asn1Time);

    [LibraryImport(Name, EntryPoint = "X509_check_private_key")]
    internal static partial int X509CheckPrivateKey(nint x, nint pkey);

    [LibraryImport(Name, EntryPoint = "X509_verify_cert_error_string")]
    internal static partial byte* X509VerifyCertErrorString(long n);

    [LibraryImport(Name, EntryPoint = "EVP_sha256")]
    internal static partial nint EvpSha256();

    [LibraryImport(Name, EntryPoint = "EVP_PKEY_new")]
    internal static partial nint EvpPkeyNew();

    [LibraryImport(Name, EntryPoint = "EVP_PKEY_free")]
    internal static partial void EvpPkeyFree(nint pkey);

    [LibraryImport(Name, EntryPoint = "EVP_PKEY_get_base_id")]
    internal static partial int EvpPkeyGetBaseId(nint pkey);

    [LibraryImport(Name, EntryPoint = "EVP_PKEY_get1_RSA")]
    internal static partial nint EvpPkeyGet1Rsa(nint pkey);

    [LibraryImport(Name, EntryPoint = "EVP_PKEY_set1_RSA")]
    internal static partial int EvpPkeySet1Rsa(nint pkey, nint rsa);

    [LibraryImport(Name, EntryPoint = "EVP_PKEY_get1_EC_KEY")]
    internal static partial nint EvpPkeyGet1EcKey(nint pkey);

    [LibraryImport(Name, EntryPoint = "EVP_PKEY_set1_EC_KEY")]
    internal static partial int EvpPkeySet1EcKey(nint pkey, nint ec);

    [LibraryImport(Name, EntryPoint = "RSA_get_default_method")]
    internal static partial nint RsaGetDefaultMethod();

    [LibraryImport(Name, EntryPoint = "RSA_meth_dup")]
    internal static partial nint RsaMethDup(nint meth);

    [LibraryImport(Name, EntryPoint = "RSA_meth_set_priv_enc")]
    internal static partial int RsaMethSetPrivEnc(nint meth, delegate* unmanaged<int, byte*, byte*, nint, int, int> fn);

    [LibraryImport(Name, EntryPoint = "RSA_meth_set_priv_dec")]
    internal static partial int RsaMethSetPrivDec(nint meth, delegate* unmanaged<int, byte*, byte*, nint, int, int> fn);

    [LibraryImport(Name, EntryPoint = "RSA_set_method")]
    internal static partial int RsaSetMethod(nint rsa, nint meth);

    [LibraryImport(Name, EntryPoint = "RSA_free")]
    internal static partial void RsaFree(nint rsa);

    [LibraryImport(Name, EntryPoint = "RSA_size")]
    internal static partial int RsaSize(nint rsa);

    [LibraryImport(Name, EntryPoint = "RSA_private_encrypt")]
    internal static partial int RsaPrivateEncrypt(int flen, byte* from, byte* to, nint rsa, int padding);

    [LibraryImport(Name, EntryPoint = "RSA_private_decrypt")]
    internal static partial int RsaPrivateDecrypt(int flen, byte* from, byte* to, nint rsa, int padding);

    [LibraryImport(Name, EntryPoint = "EC_KEY_get_default_method")]
    internal static partial nint EcKeyGetDefaultMethod();

    [LibraryImport(Name, EntryPoint = "EC_KEY_METHOD_new")]
    internal static partial nint EcKeyMethodNew(nint meth);

    [LibraryImport(Name, EntryPoint = "EC_KEY_METHOD_get_sign")]
    internal static partial void EcKeyMethodGetSign(nint meth, nint* sign, nint* signSetup, nint* signSig);

    [LibraryImport(Name, EntryPoint = "EC_KEY_METHOD_set_sign")]
    internal static partial void EcKeyMethodSetSign(nint meth, nint sign, nint signSetup, nint signSig);

    [LibraryImport(Name, EntryPoint = "EC_KEY_set_method")]
    internal static partial int EcKeySetMethod(nint ec, nint meth);

    [LibraryImport(Name, EntryPoint = "EC_KEY_free")]
    internal static partial void EcKeyFree(nint ec);

    [LibraryImport(Name, EntryPoint = "ECDSA_size")]
    internal static partial int EcdsaSize(nint ec);

    [LibraryImport(Name, EntryPoint = "ECDSA_sign")]
    internal static partial int EcdsaSign(int type, byte* dgst, int dlen, byte* sig, uint* siglen, nint ec);

    [LibraryImport(Name, EntryPoint = "EVP_MD_CTX_new")]
    internal static partial nint EvpMdCtxNew();

    [LibraryImport(Name, EntryPoint = "EVP_MD_CTX_free")]
    internal static partial void EvpMdCtxFree(nint ctx);

    [LibraryImport(Name, EntryPoint = "EVP_DigestSignInit")]
    internal static partial int EvpDigestSignInit(nint ctx, nint pctx, nint md, nint engine, nint pkey);

    [LibraryImport(Name, EntryPoint = "EVP_DigestSign")]
    internal static partial int EvpDigestSign(nint ctx, byte* sig, nuint* siglen, byte* tbs, nuint tbslen);
}
