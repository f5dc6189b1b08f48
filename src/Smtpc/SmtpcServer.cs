// Where smtp(1) connects: parse_server() of smtpc.c, plus UNIX-domain socket paths.
// Behaviour reference: usr.sbin/smtpd/smtpc.c parse_server().
namespace Smtpd.Smtpc;

internal sealed record SmtpcServer(string Host, int Port, bool Lmtp, TlsRequirement Tls, string? User, string? Password, string? SocketPath)
{
    /// <summary>The server, or null with the reason ("invalid url scheme x", "invalid credentials").</summary>
    public static SmtpcServer? Parse(string server, out string? error)
    {
        error = null;
        if (server.StartsWith('/'))
        {
            return new SmtpcServer(server, 0, false, TlsRequirement.No, null, null, server);
        }

        string scheme = "smtp";
        string rest = server;
        string? creds = null;
        int sep = server.IndexOf("://", StringComparison.Ordinal);
        if (sep >= 0)
        {
            scheme = server[..sep];
            rest = server[(sep + 3)..];
            int at = rest.LastIndexOf('@');
            if (at >= 0)
            {
                creds = rest[..at];
                rest = rest[(at + 1)..];
            }
        }

        string host = rest;
        string? port = null;
        if (host.StartsWith('[') && host.IndexOf(']', StringComparison.Ordinal) is int close and > 0 && (close + 1 == host.Length || host[close + 1] == ':'))
        {
            port = close + 1 < host.Length ? host[(close + 2)..] : null;
            host = host[1..close];
        }
        else if (!host.StartsWith('[') && host.IndexOf(':', StringComparison.Ordinal) is int colon and >= 0)
        {
            port = host[(colon + 1)..];
            host = host[..colon];
        }

        if (port is { Length: 0 })
        {
            port = null;
        }

        string? user = null;
        string? pass = null;
        if (creds is not null)
        {
            int c = creds.IndexOf(':', StringComparison.Ordinal);
            if (c < 0)
            {
                error = "invalid credentials";
                return null;
            }

            (user, pass) = (creds[..c], creds[(c + 1)..]);
        }

        (bool lmtp, TlsRequirement tls, int defaultPort) = scheme switch
        {
            "lmtp" => (true, TlsRequirement.Opportunistic, 25),
            "lmtp+tls" => (true, TlsRequirement.Required, 25),
            "lmtp+notls" => (true, TlsRequirement.No, 25),
            "smtps" => (false, TlsRequirement.Implicit, 465),
            "smtp" => (false, TlsRequirement.Opportunistic, 25),
            "smtp+tls" => (false, TlsRequirement.Required, 25),
            "smtp+notls" => (false, TlsRequirement.No, 25),
            _ => (false, TlsRequirement.No, -1),
        };
        if (defaultPort < 0)
        {
            error = $"invalid url scheme {scheme}";
            return null;
        }

        int number = defaultPort;
        if (port is not null && !int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out number))
        {
            number = port switch
            {
                "smtp" => 25,
                "smtps" => 465,
                "submission" => 587,
                "lmtp" => 24,
                _ => -1,
            };
            if (number < 0)
            {
                error = $"{host}: Servname not supported for ai_socktype";
                return null;
            }
        }

        return new SmtpcServer(host, number, lmtp, tls, user, pass, null);
    }
}
