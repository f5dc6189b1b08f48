// The libssl 3 functions the TLS layer needs: contexts for servers and clients, connections
// driven through memory BIOs (so the handshake and the records run on our own event loop),
// SNI, verification and what a finished handshake negotiated. Several OpenSSL "functions" are
// macros over SSL_CTX_ctrl/SSL_ctrl; their command numbers are here (ssl.h, tls1.h).
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static unsafe partial class LibSsl
{
    // SSL_get_error results.
    internal const int SSL_ERROR_NONE = 0;
    internal const int SSL_ERROR_SSL = 1;
    internal const int SSL_ERROR_WANT_READ = 2;
    internal const int SSL_ERROR_WANT_WRITE = 3;
    internal const int SSL_ERROR_SYSCALL = 5;
    internal const int SSL_ERROR_ZERO_RETURN = 6;

    // SSL_CTX_ctrl / SSL_ctrl commands.
    internal const int SSL_CTRL_MODE = 33;
    internal const int SSL_CTRL_SET_SESS_CACHE_MODE = 44;
    internal const int SSL_CTRL_SET_TLSEXT_SERVERNAME_CB = 53;
    internal const int SSL_CTRL_SET_TLSEXT_SERVERNAME_ARG = 54;
    internal const int SSL_CTRL_SET_TLSEXT_HOSTNAME = 55;
    internal const int SSL_CTRL_CHAIN_CERT = 89;
    internal const int SSL_CTRL_SET_GROUPS_LIST = 92;
    internal const int SSL_CTRL_SET_DH_AUTO = 118;
    internal const int SSL_CTRL_SET_MIN_PROTO_VERSION = 123;
    internal const int SSL_CTRL_SET_MAX_PROTO_VERSION = 124;

    internal const long SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER = 0x2;
    internal const int TLSEXT_NAMETYPE_host_name = 0;
    internal const int SSL_TLSEXT_ERR_OK = 0;

    internal const int TLS1_VERSION = 0x0301;
    internal const int TLS1_1_VERSION = 0x0302;
    internal const int TLS1_2_VERSION = 0x0303;
    internal const int TLS1_3_VERSION = 0x0304;

    internal const int SSL_VERIFY_NONE = 0;
    internal const int SSL_VERIFY_PEER = 1;
    internal const int SSL_VERIFY_FAIL_IF_NO_PEER_CERT = 2;

    // SSL_CTX_set_options bits (ssl.h, OpenSSL 3).
    internal const ulong SSL_OP_NO_TICKET = 1UL << 14;
    internal const ulong SSL_OP_CIPHER_SERVER_PREFERENCE = 1UL << 22;
    internal const ulong SSL_OP_NO_RENEGOTIATION = 1UL << 30;

    [LibraryImport(Name, EntryPoint = "OPENSSL_init_ssl")]
    internal static partial int OpenSslInitSsl(ulong opts, nint settings);

    [LibraryImport(Name, EntryPoint = "TLS_server_method")]
    internal static partial nint TlsServerMethod();

    [LibraryImport(Name, EntryPoint = "TLS_client_method")]
    internal static partial nint TlsClientMethod();

    [LibraryImport(Name, EntryPoint = "SSL_CTX_new")]
    internal static partial nint CtxNew(nint method);

    [LibraryImport(Name, EntryPoint = "SSL_CTX_free")]
    internal static partial void CtxFree(nint ctx);

    [LibraryImport(Name, EntryPoint = "SSL_CTX_ctrl")]
    internal static partial long CtxCtrl(nint ctx, int cmd, long larg, nint parg);

    [LibraryImport(Name, EntryPoint = "SSL_CTX_callback_ctrl")]
    internal static partial long CtxCallbackCtrl(nint ctx, int cmd, nint fp);

    [LibraryImport(Name, EntryPoint = "SSL_CTX_set_options")]
    internal static partial ulong CtxSetOptions(nint ctx, ulong options);

    [LibraryImport(Name, EntryPoint = "SSL_CTX_set_num_tickets")]
    internal static partial int CtxSetNumTickets(nint ctx, nuint count);

    [LibraryImport(Name, EntryPoint = "SSL_CTX_set_cipher_list", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int CtxSetCipherList(nint ctx, string list);

    [LibraryImport(Name, EntryPoint = "SSL_CTX_set_ciphersuites", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int CtxSetCipherSuites(nint ctx, string list);

    [LibraryImport(Name, EntryPoint = "SSL_CTX_use_certificate_chain_file", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int CtxUseCertificateChainFile(nint ctx, string file);

    [LibraryImport(Name, EntryPoint = "SSL_CTX_use_certificate")]
    internal static partial int CtxUseCertificate(nint ctx, nint x509);

    [LibraryImport(Name, EntryPoint = "SSL_CTX_use_PrivateKey")]
    internal static partial int CtxUsePrivateKey(nint ctx, nint pkey);

    [LibraryImport(Name, EntryPoint = "SSL_CTX_check_private_key")]
    internal static partial int CtxCheckPrivateKey(nint ctx);

    [LibraryImport(Name, EntryPoint = "SSL_CTX_get0_certificate")]
    internal static partial nint CtxGet0Certificate(nint ctx);

    [LibraryImport(Name, EntryPoint = "SSL_CTX_load_verify_locations", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int CtxLoadVerifyLocations(nint ctx, string? file, string? dir);

    [LibraryImport(Name, EntryPoint = "SSL_CTX_set_verify")]
    internal static partial void CtxSetVerify(nint ctx, int mode, nint callback);

    [LibraryImport(Name, EntryPoint = "SSL_load_client_CA_file", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint LoadClientCaFile(string file);

    [LibraryImport(Name, EntryPoint = "SSL_CTX_set_client_CA_list")]
    internal static partial void CtxSetClientCaList(nint ctx, nint list);

    [LibraryImport(Name, EntryPoint = "SSL_new")]
    internal static partial nint New(nint ctx);

    [LibraryImport(Name, EntryPoint = "SSL_free")]
    internal static partial void Free(nint ssl);

    [LibraryImport(Name, EntryPoint = "SSL_set_bio")]
    internal static partial void SetBio(nint ssl, nint rbio, nint wbio);

    [LibraryImport(Name, EntryPoint = "SSL_set_accept_state")]
    internal static partial void SetAcceptState(nint ssl);

    [LibraryImport(Name, EntryPoint = "SSL_set_connect_state")]
    internal static partial void SetConnectState(nint ssl);

    [LibraryImport(Name, EntryPoint = "SSL_do_handshake")]
    internal static partial int DoHandshake(nint ssl);

    [LibraryImport(Name, EntryPoint = "SSL_read")]
    internal static partial int Read(nint ssl, byte* buf, int num);

    [LibraryImport(Name, EntryPoint = "SSL_write")]
    internal static partial int Write(nint ssl, byte* buf, int num);

    [LibraryImport(Name, EntryPoint = "SSL_shutdown")]
    internal static partial int Shutdown(nint ssl);

    [LibraryImport(Name, EntryPoint = "SSL_get_error")]
    internal static partial int GetError(nint ssl, int ret);

    [LibraryImport(Name, EntryPoint = "SSL_ctrl")]
    internal static partial long Ctrl(nint ssl, int cmd, long larg, nint parg);

    [LibraryImport(Name, EntryPoint = "SSL_set1_host", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Set1Host(nint ssl, string host);

    [LibraryImport(Name, EntryPoint = "SSL_set_verify")]
    internal static partial void SetVerify(nint ssl, int mode, nint callback);

    [LibraryImport(Name, EntryPoint = "SSL_get_servername")]
    internal static partial byte* GetServerName(nint ssl, int type);

    [LibraryImport(Name, EntryPoint = "SSL_set_SSL_CTX")]
    internal static partial nint SetSslCtx(nint ssl, nint ctx);

    [LibraryImport(Name, EntryPoint = "SSL_get_version")]
    internal static partial byte* GetVersion(nint ssl);

    [LibraryImport(Name, EntryPoint = "SSL_get_current_cipher")]
    internal static partial nint GetCurrentCipher(nint ssl);

    [LibraryImport(Name, EntryPoint = "SSL_CIPHER_get_name")]
    internal static partial byte* CipherGetName(nint cipher);

    [LibraryImport(Name, EntryPoint = "SSL_CIPHER_get_bits")]
    internal static partial int CipherGetBits(nint cipher, int* algBits);

    [LibraryImport(Name, EntryPoint = "SSL_get1_peer_certificate")]
    internal static partial nint Get1PeerCertificate(nint ssl);

    [LibraryImport(Name, EntryPoint = "SSL_CTX_dane_enable")]
    internal static partial int CtxDaneEnable(nint ctx);

    [LibraryImport(Name, EntryPoint = "SSL_CTX_dane_set_flags")]
    internal static partial nuint CtxDaneSetFlags(nint ctx, nuint flags);

    /// <summary>DANE_FLAG_NO_DANE_EE_NAMECHECKS: a DANE-EE(3) match needs no name check (RFC 7672 section 3.2.1).</summary>
    internal const nuint DANE_FLAG_NO_DANE_EE_NAMECHECKS = 1;

    [LibraryImport(Name, EntryPoint = "SSL_dane_enable", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int DaneEnable(nint ssl, string baseDomain);

    [LibraryImport(Name, EntryPoint = "SSL_dane_tlsa_add")]
    internal static partial int DaneTlsaAdd(nint ssl, byte usage, byte selector, byte mtype, byte* data, nuint dlen);

    [LibraryImport(Name, EntryPoint = "SSL_get0_dane_authority")]
    internal static partial int Get0DaneAuthority(nint ssl, nint* mcert, nint* mspki);

    [LibraryImport(Name, EntryPoint = "SSL_get_verify_result")]
    internal static partial long GetVerifyResult(nint ssl);
}
