// Turns each `listen on` into bound, listening TCP sockets. The parent does this while it is
// still root (ports below 1024) and hands the descriptors to the dispatcher, which never could
// bind them itself after its privilege drop. An interface may be an address, an interface name
// or a host name, as in OpenSMTPD (interface(), host_v4(), host_v6(), host_dns()).
// Behaviour reference: usr.sbin/smtpd/parse.y create_if_listener(), smtpd.c.
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Smtpd.Config;

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
