// Turns each `listen on` into bound, listening TCP sockets, and binds the local enqueue socket. The parent does this while it is
// still root (ports below 1024) and hands the descriptors to the dispatcher, which never could
// bind them itself after its privilege drop. An interface may be an address, an interface name
// or a host name, as in OpenSMTPD (interface(), host_v4(), host_v6(), host_dns()).
// Behaviour reference: usr.sbin/smtpd/parse.y create_if_listener(), smtpd.c.
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Smtpd.Config;
using Smtpd.Interop;

namespace Smtpd.Parent;

internal static class ListenerBinder
{
    /// <summary>A deep accept queue: OpenSMTPD's backlog of 5 is what makes it collapse under load.</summary>
    public const int Backlog = 1024;

    /// <summary>Every address a listener covers, with its port: the default 25, or 465 for smtps.</summary>
    public static List<IPEndPoint> Endpoints(ListenerDef listener)
    {
        int port = listener.Port ?? (listener.Tls == ListenerTls.Smtps ? 465 : 25);
        var addresses = Resolve(listener.Interface ?? "localhost");
        return addresses
            .Where(a => listener.Family is null || (listener.Family == "inet4") == (a.AddressFamily == AddressFamily.InterNetwork))
            .Distinct()
            .Select(a => new IPEndPoint(a, port))
            .ToList();
    }

    /// <summary>Binds every endpoint of every listener; the first failure is reported as text and nothing stays bound.</summary>
    public static (List<(int Listener, Socket Socket)> Bound, string? Error) BindAll(SmtpdConfig config)
    {
        var bound = new List<(int, Socket)>();
        for (int i = 0; i < config.Listeners.Count; i++)
        {
            var listener = config.Listeners[i];
            if (listener.IsSocket)
            {
                continue;
            }

            var endpoints = Endpoints(listener);
            if (endpoints.Count == 0)
            {
                Close(bound);
                return ([], $"{listener.Where}: listen on {listener.Interface}: no address to listen on");
            }

            foreach (var ep in endpoints)
            {
                var socket = new Socket(ep.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                    if (ep.AddressFamily == AddressFamily.InterNetworkV6)
                    {
                        socket.DualMode = false;
                    }

                    socket.Bind(ep);
                    socket.Listen(Backlog);
                }
                catch (SocketException e)
                {
                    socket.Dispose();
                    Close(bound);
                    return ([], $"cannot listen on {Format(ep)}: {e.Message}");
                }

                bound.Add((i, socket));
            }
        }

        return (bound, null);
    }

    /// <summary>
    /// The local enqueue socket (DESIGN.md section 9): a UNIX-domain SMTP listener, mode 0666 so
    /// that every local user's sendmail may submit mail, served like OpenSMTPD's local enqueuer
    /// (`listen on socket`). A stale file from a previous run is replaced; a live one is an error.
    /// </summary>
    public static (Socket? Socket, string? Error) BindEnqueueSocket(string path)
    {
        var endpoint = new UnixDomainSocketEndPoint(path);
        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(endpoint);
                return (null, $"enqueue socket {path} already listening: is another smtpd running?");
            }
            catch (SocketException)
            {
                // Nobody answers: a leftover file, or none.
            }
        }

        // Bound by hand, not by Socket.Bind: a Socket that bound a path unlinks it when disposed,
        // and the parent disposes its copy once the dispatcher has the descriptor.
        try
        {
            File.Delete(path);
            var fd = Posix.ListenUnix(path, Backlog);
            File.SetUnixFileMode(path, (UnixFileMode)0b110_110_110);
            return (new Socket(new SafeSocketHandle(fd.Release(), ownsHandle: true)), null);
        }
        catch (Exception e) when (e is PosixException or SocketException or IOException or UnauthorizedAccessException)
        {
            return (null, $"cannot listen on enqueue socket {path}: {e.Message}");
        }
    }

    public static string Format(IPEndPoint ep) =>
        ep.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{ep.Address}]:{ep.Port}" : $"{ep.Address}:{ep.Port}";

    private static void Close(List<(int, Socket Socket)> bound)
    {
        foreach (var (_, s) in bound)
        {
            s.Dispose();
        }
    }

    private static List<IPAddress> Resolve(string name)
    {
        if (IPAddress.TryParse(name, out var literal))
        {
            return [literal];
        }

        var byInterface = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.Name == name)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses.Select(u => u.Address))
            .Where(a => !a.IsIPv6LinkLocal)
            .ToList();
        if (byInterface.Count > 0)
        {
            return byInterface;
        }

        try
        {
            return [.. System.Net.Dns.GetHostAddresses(name).Where(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)];
        }
        catch (SocketException)
        {
            return [];
        }
    }
}
