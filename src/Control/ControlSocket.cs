// The control socket smtpctl talks to: created while root (it lives in /var/run), mode 0666
// because every command is authorized per client by its peer credentials, refused if another
// smtpd already listens on it. Behaviour reference: usr.sbin/smtpd/control.c control_create_socket().
using System.Net.Sockets;
using Smtpd.Interop;
using Smtpd.Runtime;

namespace Smtpd.Control;

internal static class ControlSocket
{
    public static Socket Create(string path)
    {
        var endpoint = new UnixDomainSocketEndPoint(path);
        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(endpoint);
                Log.FatalX("control socket already listening");
            }
            catch (SocketException)
            {
                // Nobody answers: a stale socket file from a previous run, or none at all.
            }
        }

        try
        {
            File.Delete(path);
        }
        catch (IOException e)
        {
            Log.FatalX($"control: cannot unlink socket: {e.Message}");
        }

        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        uint old = Posix.Umask(0b001_011_111);
        try
        {
            listener.Bind(endpoint);
        }
        catch (SocketException e)
        {
            Log.FatalX($"control: bind {path}: {e.Message}");
        }
        finally
        {
            Posix.Umask(old);
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
        listener.Listen(16);
        return listener;
    }

    /// <summary>The uid of the process at the other end (SO_PEERCRED), or null if the kernel will not say.</summary>
    public static uint? PeerUid(Socket client)
    {
        const int SolSocket = 1;
        const int SoPeerCred = 17;
        Span<byte> cred = stackalloc byte[12];
        try
        {
            int n = client.GetRawSocketOption(SolSocket, SoPeerCred, cred);
            return n == 12 ? BitConverter.ToUInt32(cred[4..]) : null;
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
