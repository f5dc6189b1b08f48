// The libcrypto 3 functions OCSP stapling needs: the responder URL of a certificate (AIA), an
// OCSP request for it, the parsing and verification of the responder's answer; and the libssl
// status-request callback through which a server hands a client the stapled response.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static unsafe partial class LibCrypto
{
    internal const int OCSP_RESPONSE_STATUS_SUCCESSFUL = 0;
    internal const int V_OCSP_CERTSTATUS_GOOD = 0;
    internal const int V_OCSP_CERTSTATUS_REVOKED = 1;
    internal const ulong X509_V_FLAG_PARTIAL_CHAIN = 0x80000;

    [LibraryImport(Name, EntryPoint = "X509_get1_ocsp")]
    internal static partial nint X509Get1Ocsp(nint x);

    [LibraryImport(Name, EntryPoint = "X509_email_free")]
    internal static partial void X509EmailFree(nint stack);

    [LibraryImport(Name, EntryPoint = "OPENSSL_sk_num")]
    internal static partial int SkNum(nint stack);

    [LibraryImport(Name, EntryPoint = "OPENSSL_sk_value")]
    internal static partial nint SkValue(nint stack, int i);

    [LibraryImport(Name, EntryPoint = "OPENSSL_sk_new_null")]
    internal static partial nint SkNewNull();

    [LibraryImport(Name, EntryPoint = "OPENSSL_sk_push")]
    internal static partial int SkPush(nint stack, nint data);

    [LibraryImport(Name, EntryPoint = "OPENSSL_sk_free")]
    internal static partial void SkFree(nint stack);

    [LibraryImport(Name, EntryPoint = "OCSP_cert_to_id")]
    internal static partial nint OcspCertToId(nint dgst, nint subject, nint issuer);

    [LibraryImport(Name, EntryPoint = "OCSP_CERTID_free")]
    internal static partial void OcspCertIdFree(nint id);

    [LibraryImport(Name, EntryPoint = "OCSP_CERTID_dup")]
    internal static partial nint OcspCertIdDup(nint id);

    [LibraryImport(Name, EntryPoint = "OCSP_REQUEST_new")]
    internal static partial nint OcspRequestNew();

    [LibraryImport(Name, EntryPoint = "OCSP_REQUEST_free")]
    internal static partial void OcspRequestFree(nint req);

    /// <summary>The request takes the id.</summary>
    [LibraryImport(Name, EntryPoint = "OCSP_request_add0_id")]
    internal static partial nint OcspRequestAdd0Id(nint req, nint id);

    [LibraryImport(Name, EntryPoint = "i2d_OCSP_REQUEST")]
    internal static partial int I2dOcspRequest(nint req, byte** output);

    [LibraryImport(Name, EntryPoint = "d2i_OCSP_RESPONSE")]
    internal static partial nint D2iOcspResponse(nint reuse, byte** input, long len);

    [LibraryImport(Name, EntryPoint = "OCSP_RESPONSE_free")]
    internal static partial void OcspResponseFree(nint resp);

    [LibraryImport(Name, EntryPoint = "OCSP_response_status")]
    internal static partial int OcspResponseStatus(nint resp);

    [LibraryImport(Name, EntryPoint = "OCSP_response_get1_basic")]
    internal static partial nint OcspResponseGet1Basic(nint resp);

    [LibraryImport(Name, EntryPoint = "OCSP_BASICRESP_free")]
    internal static partial void OcspBasicRespFree(nint basic);

    [LibraryImport(Name, EntryPoint = "OCSP_basic_verify")]
    internal static partial int OcspBasicVerify(nint basic, nint certs, nint store, ulong flags);

    [LibraryImport(Name, EntryPoint = "OCSP_resp_find_status")]
    internal static partial int OcspRespFindStatus(nint basic, nint id, int* status, int* reason, nint* revtime, nint* thisUpdate, nint* nextUpdate);

    [LibraryImport(Name, EntryPoint = "OCSP_check_validity")]
    internal static partial int OcspCheckValidity(nint thisUpdate, nint nextUpdate, long sec, long maxsec);

    [LibraryImport(Name, EntryPoint = "OCSP_cert_status_str")]
    internal static partial byte* OcspCertStatusStr(long status);

    /// <summary>Days and seconds from <paramref name="from"/> (0: now) to <paramref name="to"/>.</summary>
    [LibraryImport(Name, EntryPoint = "ASN1_TIME_diff")]
    internal static partial int Asn1TimeDiff(int* days, int* seconds, nint from, nint to);

    [LibraryImport(Name, EntryPoint = "X509_STORE_new")]
    internal static partial nint X509StoreNew();

    [LibraryImport(Name, EntryPoint = "X509_STORE_free")]
    internal static partial void X509StoreFree(nint store);

    [LibraryImport(Name, EntryPoint = "X509_STORE_add_cert")]
    internal static partial int X509StoreAddCert(nint store, nint x);

    [LibraryImport(Name, EntryPoint = "X509_STORE_set_flags")]
    internal static partial int X509StoreSetFlags(nint store, ulong flags);

    /// <summary>OPENSSL_malloc: memory OpenSSL may free (a stapled response it takes over).</summary>
    [LibraryImport(Name, EntryPoint = "CRYPTO_malloc")]
    internal static partial nint CryptoMalloc(nuint num, byte* file, int line);

    [LibraryImport(Name, EntryPoint = "CRYPTO_free")]
    internal static partial void CryptoFree(nint p, byte* file, int line);
}

internal static partial class LibSsl
{
    internal const int SSL_CTRL_SET_TLSEXT_STATUS_REQ_CB = 63;
    internal const int SSL_CTRL_SET_TLSEXT_STATUS_REQ_CB_ARG = 64;
    internal const int SSL_CTRL_SET_TLSEXT_STATUS_REQ_OCSP_RESP = 71;
    internal const int SSL_TLSEXT_ERR_NOACK = 3;

    [LibraryImport(Name, EntryPoint = "SSL_get_SSL_CTX")]
    internal static partial nint GetSslCtx(nint ssl);
}
