// OCSP stapling on a server context: when a client asks for the certificate's status
// (status_request), OpenSSL calls back and gets a copy of the current response, or nothing.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal sealed unsafe partial class OpenSslContext
{
    private static readonly byte[] SourceFile = "OpenSslContext.Ocsp.cs\0"u8.ToArray();

    /// <summary>The DER response to staple for this context's certificate now, or null; set by SetStatusResponder.</summary>
    public Func<byte[]?>? StatusResponder { get; private set; }

    /// <summary>The leaf certificate's SHA-256 digest (empty without a certificate).</summary>
    public byte[] CertificateSha256() => Certificate is var c and not 0 ? Sha256(c) : [];

    /// <summary>The SHA-256 digest of a certificate's DER encoding.</summary>
    internal static byte[] Sha256(nint x509)
    {
        byte* md = stackalloc byte[64];
        uint len = 0;
        return LibCrypto.X509Digest(x509, LibCrypto.EvpSha256(), md, &len) == 1 ? new ReadOnlySpan<byte>(md, (int)len).ToArray() : [];
    }

    /// <summary>Answers clients' status requests with what <paramref name="responder"/> returns (null: no staple).</summary>
    public void SetStatusResponder(Func<byte[]?> responder)
    {
        StatusResponder = responder;
        if (!_self.IsAllocated)
        {
            _self = GCHandle.Alloc(this);
        }

        delegate* unmanaged<nint, nint, int> cb = &OnStatusRequest;
        _ = LibSsl.CtxCallbackCtrl(_ctx, LibSsl.SSL_CTRL_SET_TLSEXT_STATUS_REQ_CB, (nint)cb);
        _ = LibSsl.CtxCtrl(_ctx, LibSsl.SSL_CTRL_SET_TLSEXT_STATUS_REQ_CB_ARG, 0, GCHandle.ToIntPtr(_self));
    }

    [UnmanagedCallersOnly]
    private static int OnStatusRequest(nint ssl, nint arg)
    {
        try
        {
            if (GCHandle.FromIntPtr(arg).Target is OpenSslContext self && self.StatusResponder?.Invoke() is { Length: > 0 } der)
            {
                // OpenSSL takes the buffer and frees it with OPENSSL_free.
                fixed (byte* file = SourceFile)
                {
                    nint copy = LibCrypto.CryptoMalloc((nuint)der.Length, file, 0);
                    if (copy == 0)
                    {
                        return LibSsl.SSL_TLSEXT_ERR_NOACK;
                    }

                    der.CopyTo(new Span<byte>((void*)copy, der.Length));
                    if (LibSsl.Ctrl(ssl, LibSsl.SSL_CTRL_SET_TLSEXT_STATUS_REQ_OCSP_RESP, der.Length, copy) != 1)
                    {
                        LibCrypto.CryptoFree(copy, file, 0);
                        return LibSsl.SSL_TLSEXT_ERR_NOACK;
                    }
                }

                return LibSsl.SSL_TLSEXT_ERR_OK;
            }
        }
        catch (Exception)
        {
            // No staple: nothing may unwind through OpenSSL.
        }

        return LibSsl.SSL_TLSEXT_ERR_NOACK;
    }
}
