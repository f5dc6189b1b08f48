// smtp(1): OpenSMTPD's command-line SMTP client. Reads the message on standard input (lines
// ending CR LF become LF; the message is sent unaltered otherwise), connects to each address of
// the server in turn until one session completes, and reports each recipient's outcome on
// standard error. As OpenSMTPD's, it exits 0 once a session ran to its end, whatever the server
// answered the transaction, and 1 when no address could complete one.
// Behaviour reference: usr.sbin/smtpd/smtpc.c, smtp.1.
using System.Net;
using System.Net.Sockets;
using Smtpd.Interop;
using Smtpd.Tls;

namespace Smtpd.Smtpc;

internal static class Smtpc
{
    public static int Run(string program, IReadOnlyList<string> args)
    {
        Enqueue.Sendmail.DropSetGid();
        string user = Posix.GetPwUid(Posix.GetUid())?.Name ?? "root";
        var options = SmtpcOptions.Parse(args, user, System.Net.Dns.GetHostName(), out string? error, out bool usage);
        if (usage || (options is null && error is null))
        {
            Console.Error.WriteLine($"usage: {program} [-Chnv] [-a authfile] [-F from] [-H helo] [-s server] [-T params] [recipient ...]");
            return 1;
        }

        if (options is null)
        {
            return Fatal(program, error!);
        }

        var server = SmtpcServer.Parse(options.Server, out error);
        if (server is null)
        {
            return Fatal(program, error!);
        }

        if (server.User is not null)
        {
            options.AuthUser = server.User;
            options.AuthPass = server.Password;
        }

        void Log(int level, string line)
        {
            if (options.Verbose > level)
            {
                Console.Error.WriteLine(line);
            }
        }

        // As smtpc.c's tls_configure before any connection: a bad -T cafile= or cipher list is fatal.
        using var tls = server.Tls == TlsRequirement.No ? null
            : TlsClientContext.Create(options.CaFile, null, options.Ciphers, options.Protocols, out error);
        if (server.Tls != TlsRequirement.No && tls is null)
        {
            return Fatal(program, error!);
        }

        List<string>? message = options.NoAction ? null : ReadMessage(Console.OpenStandardInput());
        foreach (var (endpoint, text) in Addresses(server, out error))
        {
            Log(1, $"trying host {text}...");
            Stream stream;
            try
            {
                var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, endpoint is UnixDomainSocketEndPoint ? ProtocolType.Unspecified : ProtocolType.Tcp);
                socket.Connect(endpoint);
                stream = new NetworkStream(socket, ownsSocket: true) { ReadTimeout = 100_000, WriteTimeout = 100_000 };
            }
            catch (SocketException e)
            {
                Console.Error.WriteLine($"connection error: {e.Message}");
                Log(1, "connection closed...");
                continue;
            }

            using (stream)
            {
                try
                {
                    new SmtpcSession(stream, options, server, tls, Log).Run(message);
                    Log(1, "connection closed...");
                    Log(1, "done...");
                    return 0;
                }
                catch (SmtpcSession.Failure f)
                {
                    Console.Error.WriteLine($"{f.Kind}: {f.Message}");
                }
                catch (IOException e)
                {
                    Console.Error.WriteLine($"connection error: {e.Message}");
                }
            }

            Log(1, "connection closed...");
        }

        return Fatal(program, error ?? "no more host");
    }

    private static int Fatal(string program, string message)
    {
        Console.Error.WriteLine($"{program}: {message}");
        return 1;
    }

    /// <summary>parse_message: every line kept, CR LF turned into LF, a last line without its newline ended.</summary>
    internal static List<string> ReadMessage(Stream input)
    {
        using var reader = new StreamReader(input, System.Text.Encoding.UTF8);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }

    private static List<(EndPoint Endpoint, string Text)> Addresses(SmtpcServer server, out string? error)
    {
        error = null;
        if (server.SocketPath is { } path)
        {
            return [(new UnixDomainSocketEndPoint(path), path)];
        }

        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(server.Host, out var literal) ? [literal] : System.Net.Dns.GetHostAddresses(server.Host);
        }
        catch (SocketException e)
        {
            error = $"{server.Host}: {e.Message}";
            return [];
        }

        string port = server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var targets = new List<(EndPoint, string)>(); // (a loop: LINQ to a struct result costs idle memory, see smtpd.csproj)
        foreach (var a in addresses)
        {
            targets.Add((new IPEndPoint(a, server.Port), $"{a} port {port}"));
        }

        return targets;
    }
}
