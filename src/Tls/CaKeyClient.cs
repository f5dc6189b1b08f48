// The network-facing side of the key split: a handshake's private-key operation, asked of the
// crypto role on a socket kept for it and answered before the handshake goes on. Blocking, as in
// OpenSMTPD's rsae_send_imsg: the operation is called from inside OpenSSL, which cannot wait
// asynchronously; the crypto role answers at once, and nothing else uses this socket.
using Smtpd.Interop;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;

namespace Smtpd.Tls;

internal sealed class CaKeyClient : IDisposable
{
    private readonly ImsgBlockingPeer _peer;
    private readonly Lock _gate = new();

    private CaKeyClient(SafeFd socket) => _peer = new ImsgBlockingPeer(socket, "ca");

    /// <summary>
    /// Makes the socket pair, sends one end to the crypto role over <paramref name="ca"/> and
    /// routes every stand-in key's private operation (OpenSslKeyProxy) through the other.
    /// </summary>
    public static CaKeyClient Connect(ImsgChannel ca)
    {
        var (mine, theirs) = Posix.SocketPair();
        ca.PostEmpty(ImsgType.CaKeyChannel, fd: theirs);
        var client = new CaKeyClient(mine);
        OpenSslKeyProxy.Forward = client.Perform;
        return client;
    }

    /// <summary>The crypto role's result, or null (it failed, or the role is gone).</summary>
    public byte[]? Perform(string pki, KeyOperation operation, int parameter, byte[] input)
    {
        lock (_gate)
        {
            if (!_peer.SendAs(ImsgType.CaKeyOperation, new CaKeyOperation(pki, operation, parameter, input)))
            {
                return null;
            }

            using Imsg? reply = _peer.Receive();
            return reply?.Read<CaKeyOperationReply>().Output;
        }
    }

    public void Dispose() => _peer.Dispose();
}
