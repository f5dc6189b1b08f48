// An SSL_CTX with strings and booleans instead of pointers: protocols, ciphers, groups, the
// certificate chain and its (stand-in) key, trust anchors and client-certificate policy, and a
// server-name callback that lets the TLS layer pick another context's certificate (SNI).
using System.Runtime.InteropServices;
using System.Text;

namespace Smtpd.Interop;

internal sealed unsafe partial class OpenSslContext : IDisposable
{
    private GCHandle _self;
    private nint _ctx;

    private OpenSslContext(nint ctx) => _ctx = ctx;

    internal nint Handle => _ctx;

    /// <summary>Chooses, from the client's server name, the context whose certificate the handshake uses; null keeps this one.</summary>
    public Func<string, OpenSslContext?>? ServerNameSelector { get; private set; }

    /// <summary>A context for accepting (<paramref name="server"/>) or making connections; TLS 1.2 at least, no renegotiation.</summary>
    public static OpenSslContext Create(bool server)
    {
        nint ctx = LibSsl.CtxNew(server ? LibSsl.TlsServerMethod() : LibSsl.TlsClientMethod());
        if (ctx == 0)
        {
            throw new InvalidOperationException("SSL_CTX_new: " + OpenSslError.Drain());
        }

        var c = new OpenSslContext(ctx);
        _ = LibSsl.CtxSetOptions(ctx, LibSsl.SSL_OP_NO_RENEGOTIATION | (server ? LibSsl.SSL_OP_NO_TICKET | LibSsl.SSL_OP_CIPHER_SERVER_PREFERENCE : 0));
        _ = LibSsl.CtxCtrl(ctx, LibSsl.SSL_CTRL_MODE, LibSsl.SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER, 0);
        if (server)
        {
            // No resumption, as libtls servers by default: no session cache growing with
            // clients, no tickets sent after each handshake.
            _ = LibSsl.CtxCtrl(ctx, LibSsl.SSL_CTRL_SET_SESS_CACHE_MODE, 0, 0);
            _ = LibSsl.CtxSetNumTickets(ctx, 0);
        }

        c.SetProtocolRange(LibSsl.TLS1_2_VERSION, 0);
        return c;
    }

    /// <summary>The lowest and highest protocol version (LibSsl.TLS1_x_VERSION; 0: OpenSSL's limit).</summary>
    public void SetProtocolRange(int min, int max)
    {
        _ = LibSsl.CtxCtrl(_ctx, LibSsl.SSL_CTRL_SET_MIN_PROTO_VERSION, min, 0);
        _ = LibSsl.CtxCtrl(_ctx, LibSsl.SSL_CTRL_SET_MAX_PROTO_VERSION, max, 0);
    }

    /// <summary>SSL_CTX_set_cipher_list (TLS 1.2 and below); null on success, else OpenSSL's reason.</summary>
    public string? SetCipherList(string list) =>
        LibSsl.CtxSetCipherList(_ctx, list) == 1 ? null : OpenSslError.DrainReason("no cipher match");

    /// <summary>SSL_CTX_set_ciphersuites (TLS 1.3); null on success.</summary>
    public string? SetCipherSuites(string list) =>
        LibSsl.CtxSetCipherSuites(_ctx, list) == 1 ? null : OpenSslError.DrainReason("no cipher suite match");

    /// <summary>The key-exchange groups ("X25519:P-256"); null on success.</summary>
    public string? SetGroups(string list)
    {
        nint s = Marshal.StringToCoTaskMemUTF8(list);
        try
        {
            return LibSsl.CtxCtrl(_ctx, LibSsl.SSL_CTRL_SET_GROUPS_LIST, 0, s) == 1 ? null : OpenSslError.DrainReason("unknown group");
        }
        finally
        {
            Marshal.FreeCoTaskMem(s);
        }
    }

    /// <summary>Finite-field DHE with parameters OpenSSL sizes to the certificate (dhe auto), or none.</summary>
    public void SetDheAuto(bool on) => _ = LibSsl.CtxCtrl(_ctx, LibSsl.SSL_CTRL_SET_DH_AUTO, on ? 1 : 0, 0);

    /// <summary>Loads the certificate chain (leaf first) from a PEM file; null on success.</summary>
    public string? UseCertificateChainFile(string path)
    {
        OpenSslError.Clear();
        return LibSsl.CtxUseCertificateChainFile(_ctx, path) == 1 ? null : OpenSslError.DrainReason("cannot load certificate");
    }

    /// <summary>Loads the certificate chain (leaf first) from PEM text in memory; null on success.</summary>
    public string? UseCertificateChainPem(ReadOnlySpan<byte> pem)
    {
        OpenSslError.Clear();
        fixed (byte* p = pem)
        {
            nint bio = LibCrypto.BioNewMemBuf(p, pem.Length);
            try
            {
                nint leaf = LibCrypto.PemReadBioX509(bio, 0, 0, 0);
                if (leaf == 0)
                {
                    return OpenSslError.DrainReason("no certificate");
                }

                int ok = LibSsl.CtxUseCertificate(_ctx, leaf);
                LibCrypto.X509Free(leaf);
                if (ok != 1)
                {
                    return OpenSslError.DrainReason("cannot use certificate");
                }

                nint next;
                while ((next = LibCrypto.PemReadBioX509(bio, 0, 0, 0)) != 0)
                {
                    // add0: the context takes the certificate.
                    if (LibSsl.CtxCtrl(_ctx, LibSsl.SSL_CTRL_CHAIN_CERT, 0, next) != 1)
                    {
                        LibCrypto.X509Free(next);
                        return OpenSslError.DrainReason("cannot add chain certificate");
                    }
                }

                // The loop ends on "no start line" at the end of the text.
                OpenSslError.Clear();
                return null;
            }
            finally
            {
                _ = LibCrypto.BioFree(bio);
            }
        }
    }

    /// <summary>The leaf certificate (owned by the context), or 0.</summary>
    internal nint Certificate => LibSsl.CtxGet0Certificate(_ctx);

    /// <summary>Installs a key for the certificate: a stand-in from OpenSslKeyProxy in the dispatcher; null on success.</summary>
    internal string? UsePrivateKey(nint pkey)
    {
        OpenSslError.Clear();
        return LibSsl.CtxUsePrivateKey(_ctx, pkey) == 1 ? null : OpenSslError.DrainReason("key does not match the certificate");
    }

    /// <summary>Stands in for the certificate's key with one whose operations are forwarded under <paramref name="keyName"/>; null on success.</summary>
    public string? UseForwardedKey(string keyName)
    {
        nint cert = Certificate;
        if (cert == 0)
        {
            return "no certificate loaded";
        }

        nint proxy = OpenSslKeyProxy.Create(cert, keyName, out string error);
        if (proxy == 0)
        {
            return error;
        }

        string? failed = UsePrivateKey(proxy);
        LibCrypto.EvpPkeyFree(proxy);
        return failed;
    }

    /// <summary>Whether <paramref name="key"/> is the private half of the leaf certificate's key.</summary>
    public bool MatchesKey(OpenSslPrivateKey key)
    {
        nint cert = Certificate;
        bool match = cert != 0 && LibCrypto.X509CheckPrivateKey(cert, key.Handle) == 1;
        OpenSslError.Clear();
        return match;
    }

    /// <summary>Whether the leaf certificate's validity period has ended (expired) or not begun yet.</summary>
    public (bool Expired, bool NotYetValid) CertificateValidity()
    {
        nint cert = Certificate;
        return cert == 0 ? (false, false)
            : (LibCrypto.X509CmpCurrentTime(LibCrypto.X509Get0NotAfter(cert)) < 0, LibCrypto.X509CmpCurrentTime(LibCrypto.X509Get0NotBefore(cert)) > 0);
    }

    /// <summary>Whether the leaf certificate is valid for host <paramref name="name"/> (subjectAltName, wildcards).</summary>
    public bool CertificateMatches(string name)
    {
        nint cert = Certificate;
        if (cert == 0)
        {
            return false;
        }

        byte[] b = Encoding.UTF8.GetBytes(name);
        fixed (byte* p = b)
        {
            return LibCrypto.X509CheckHost(cert, p, (nuint)b.Length, 0, 0) == 1;
        }
    }

    /// <summary>Trusts the certificates in a PEM file for verifying peers; null on success.</summary>
    public string? LoadVerifyFile(string path)
    {
        OpenSslError.Clear();
        return LibSsl.CtxLoadVerifyLocations(_ctx, path, null) == 1 ? null : OpenSslError.DrainReason("cannot load CA file");
    }

    /// <summary>Names the CAs of a PEM file to clients in the certificate request; null on success.</summary>
    public string? SetClientCaFile(string path)
    {
        nint list = LibSsl.LoadClientCaFile(path);
        if (list == 0)
        {
            return OpenSslError.DrainReason("no certificates in CA file");
        }

        LibSsl.CtxSetClientCaList(_ctx, list);
        return null;
    }

    /// <summary>Lets connections of this (client) context authenticate servers by DANE TLSA records.</summary>
    public string? EnableDane()
    {
        if (LibSsl.CtxDaneEnable(_ctx) <= 0)
        {
            return OpenSslError.DrainReason("cannot enable DANE");
        }

        _ = LibSsl.CtxDaneSetFlags(_ctx, LibSsl.DANE_FLAG_NO_DANE_EE_NAMECHECKS);
        return null;
    }

    /// <summary>Asks for (and with <paramref name="require"/> insists on) a verified peer certificate.</summary>
    public void SetVerifyPeer(bool require) =>
        LibSsl.CtxSetVerify(_ctx, LibSsl.SSL_VERIFY_PEER | (require ? LibSsl.SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0), 0);

    /// <summary>Calls <paramref name="selector"/> with the server name each client sends (SNI).</summary>
    public void SetServerNameSelector(Func<string, OpenSslContext?> selector)
    {
        ServerNameSelector = selector;
        if (!_self.IsAllocated)
        {
            _self = GCHandle.Alloc(this);
        }

        delegate* unmanaged<nint, int*, nint, int> cb = &OnServerName;
        _ = LibSsl.CtxCallbackCtrl(_ctx, LibSsl.SSL_CTRL_SET_TLSEXT_SERVERNAME_CB, (nint)cb);
        _ = LibSsl.CtxCtrl(_ctx, LibSsl.SSL_CTRL_SET_TLSEXT_SERVERNAME_ARG, 0, GCHandle.ToIntPtr(_self));
    }

    [UnmanagedCallersOnly]
    private static int OnServerName(nint ssl, int* alert, nint arg)
    {
        try
        {
            byte* name = LibSsl.GetServerName(ssl, LibSsl.TLSEXT_NAMETYPE_host_name);
            if (name != null && GCHandle.FromIntPtr(arg).Target is OpenSslContext self && self.ServerNameSelector is { } select
                && select(OpenSslText.Of(name)) is { } chosen && chosen != self)
            {
                _ = LibSsl.SetSslCtx(ssl, chosen.Handle);
            }
        }
        catch (Exception)
        {
            // Keep the default certificate: nothing may unwind through OpenSSL.
        }

        return LibSsl.SSL_TLSEXT_ERR_OK;
    }

    public void Dispose()
    {
        if (_ctx != 0)
        {
            LibSsl.CtxFree(_ctx);
            _ctx = 0;
        }

        if (_self.IsAllocated)
        {
            _self.Free();
        }
    }
}
