// sendmail -bs (as Postfix's): an SMTP session on standard input and output, for programs that
// speak SMTP to a pipe. The session is the daemon's own, on the local enqueue socket, so it is
// answered, filtered, logged and queued as any local submission; this only carries the bytes.
// With the daemon down the client gets a 421 and sendmail exits 75 (EX_TEMPFAIL).
using System.Net.Sockets;

namespace Smtpd.Enqueue;

internal static class SmtpOnStdio
{
    public static int Run(string program, string socketPath)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var stdout = Console.OpenStandardOutput();
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        }
        catch (SocketException e)
        {
            Console.Error.WriteLine($"{program}: cannot reach smtpd: {e.Message}");
            stdout.Write("421 4.3.0 smtpd is not running, try again later\r\n"u8);
            return Sendmail.ExTempFail;
        }

        using var net = new NetworkStream(socket, ownsSocket: false);
        using var stdin = Console.OpenStandardInput();

        // Client to server until the client's input ends; then the server's side is half-closed
        // so it sees the end, and its last words (221, or a 421 on a lost session) still get out.
        var upstream = Task.Run(() =>
        {
            try
            {
                stdin.CopyTo(net);
                socket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                // The server went away first: the copy below ends too.
            }
        });
        try
        {
            net.CopyTo(stdout);
        }
        catch (IOException)
        {
            return Sendmail.ExTempFail;
        }

        return 0;
    }
}
