// Client certificates accepted by fingerprint: the handshake asks for a certificate and lets any
// through (the verification result is kept for SSL_get_verify_result), so the application can
// accept one that does not chain to a trusted authority because its fingerprint is listed.
namespace Smtpd.Interop;

internal sealed unsafe partial class OpenSslContext
{
    /// <summary>Asks for a peer certificate (insisting with <paramref name="require"/>) and accepts any that is sent.</summary>
    public void RequestAnyPeerCertificate(bool require)
    {
        delegate* unmanaged<int, nint, int> cb = &AcceptAny;
        LibSsl.CtxSetVerify(_ctx, LibSsl.SSL_VERIFY_PEER | (require ? LibSsl.SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0), (nint)cb);
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static int AcceptAny(int preverifyOk, nint storeCtx) => 1;
}
