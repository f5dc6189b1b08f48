// One smtp(1) session, as OpenSMTPD's smtp_client.c runs it: banner, EHLO (HELO when refused
// and nothing needs extensions) or LHLO, STARTTLS when offered (required with +tls), AUTH PLAIN
// or LOGIN (only over TLS), MAIL FROM (RET/ENVID only with DSN), RCPT TO for each recipient,
// DATA and the dot-stuffed message, then QUIT. Each recipient's outcome is reported as
// "rcpt: COMMAND: reply"; a failure of the session itself as a warning, after which the
// next address of the server is tried.
// Behaviour reference: usr.sbin/smtpd/smtp_client.c, smtpc.c (smtp_status, smtp_failed).
using System.Net;
using System.Text;
using Smtpd.Tls;

namespace Smtpd.Smtpc;

internal sealed class SmtpcSession
{
    private readonly SmtpcOptions _options;
    private readonly SmtpcServer _server;
    private readonly Action<int, string> _log;
    private readonly TlsClientContext? _tlsContext;
    private Stream _stream;
    private StreamReaderLite _reader;
    private bool _tls;
    private bool _starttls;
    private bool _auth;
    private bool _authPlain;
    private bool _authLogin;

    /// <summary>A session on <paramref name="stream"/>; <paramref name="tls"/> is needed unless the server is spoken to without TLS.</summary>
    public SmtpcSession(Stream stream, SmtpcOptions options, SmtpcServer server, TlsClientContext? tls, Action<int, string> log)
    {
        _stream = stream;
        _tlsContext = tls;
        _reader = new StreamReaderLite(stream);
        _options = options;
        _server = server;
        _log = log;
    }

    /// <summary>Thrown for what ends the session: (kind as smtp_failed words it, detail).</summary>
    public sealed class Failure(string kind, string detail) : Exception(detail)
    {
        public string Kind { get; } = kind;
    }

    /// <summary>Runs the session; true when every recipient has its outcome (or, with -n, the session was set up).</summary>
    public bool Run(IReadOnlyList<string>? message)
    {
        if (_server.Tls == TlsRequirement.Implicit)
        {
            StartTls();
        }

        string banner = Reply();
        if (banner[0] != '2')
        {
            throw new Failure("rejected by server", banner);
        }

        Hello();
        if (!_tls && _server.Tls != TlsRequirement.No)
        {
            if (_starttls)
            {
                string r = Command("STARTTLS");
                if (r[0] == '2')
                {
                    StartTls();
                    Hello();
                }
                else if (_server.Tls == TlsRequirement.Required || _options.AuthUser is not null)
                {
                    throw new Failure("rejected by server", r);
                }
            }
            else if (_server.Tls == TlsRequirement.Required)
            {
                throw new Failure("missing feature", "TLS not supported by remote host");
            }
        }

        Authenticate();
        _log(1, "connection ready...");
        if (message is null)
        {
            Quit();
            return true;
        }

        Transaction(message);
        _log(1, "mail done...");
        Quit();
        return true;
    }

    private void Hello()
    {
        if (_server.Lmtp)
        {
            string r = Command("LHLO " + _options.Helo);
            if (r[0] != '2')
            {
                throw new Failure("rejected by server", r);
            }

            return;
        }

        string ehlo = Command("EHLO " + _options.Helo, extensions: true);
        if (ehlo[0] == '2')
        {
            return;
        }

        if (_server.Tls == TlsRequirement.Required || _options.AuthUser is not null)
        {
            throw new Failure("rejected by server", ehlo);
        }

        string helo = Command("HELO " + _options.Helo);
        if (helo[0] != '2')
        {
            throw new Failure("rejected by server", helo);
        }
    }

    private void Authenticate()
    {
        if (_options.AuthUser is not { } user)
        {
            return;
        }

        string pass = _options.AuthPass ?? string.Empty;
        if (!_tls)
        {
            throw new Failure("missing feature", "Authentication requires TLS");
        }

        if (!_auth)
        {
            throw new Failure("missing feature", "AUTH not supported by remote host");
        }

        if (_authPlain)
        {
            string r = Command("AUTH PLAIN " + Convert.ToBase64String(Encoding.UTF8.GetBytes("\0" + user + "\0" + pass)), secret: true);
            if (r[0] != '2')
            {
                throw new Failure("rejected by server", r);
            }
        }
        else if (_authLogin)
        {
            foreach (string step in new[] { "AUTH LOGIN", Convert.ToBase64String(Encoding.UTF8.GetBytes(user)) })
            {
                string r = Command(step, secret: step != "AUTH LOGIN");
                if (!r.StartsWith("334 ", StringComparison.Ordinal))
                {
                    throw new Failure("rejected by server", r);
                }
            }

            string done = Command(Convert.ToBase64String(Encoding.UTF8.GetBytes(pass)), secret: true);
            if (done[0] != '2')
            {
                throw new Failure("rejected by server", done);
            }
        }
        else
        {
            throw new Failure("missing feature", "No supported AUTH method");
        }
    }

    private void Transaction(IReadOnlyList<string> message)
    {
        var rcpts = _options.Recipients;
        var done = new bool[rcpts.Count];
        void Status(int i, string cmd, string line)
        {
            if (!done[i])
            {
                done[i] = true;
                _log(0, $"{rcpts[i]}: {cmd}: {line}");
            }
        }

        void All(string cmd, string line)
        {
            for (int i = 0; i < rcpts.Count; i++)
            {
                Status(i, cmd, line);
            }
        }

        string mail = Command($"MAIL FROM:<{_options.From}>");
        if (mail[0] != '2')
        {
            All("MAIL", mail);
            Rset();
            return;
        }

        int ok = 0;
        for (int i = 0; i < rcpts.Count; i++)
        {
            string r = Command($"RCPT TO:<{rcpts[i]}>");
            if (r[0] != '2')
            {
                Status(i, "RCPT", r);
            }
            else
            {
                ok++;
            }
        }

        if (ok == 0)
        {
            Rset();
            return;
        }

        string data = Command("DATA");
        if (data[0] != '2' && data[0] != '3')
        {
            All("DATA", data);
            Rset();
            return;
        }

        var body = new StringBuilder();
        foreach (string line in message)
        {
            body.Append(line.StartsWith('.') ? "." : string.Empty).Append(line).Append("\r\n");
        }

        byte[] bytes = Encoding.UTF8.GetBytes(body.ToString());
        _stream.Write(bytes);
        _log(2, $">>> [...{bytes.Length} bytes...]");
        string eom = Command(".");
        if (_server.Lmtp)
        {
            // LMTP answers once per accepted recipient, in order.
            bool first = true;
            for (int i = 0; i < rcpts.Count; i++)
            {
                if (!done[i])
                {
                    Status(i, "EOM", first ? eom : Reply());
                    first = false;
                }
            }
        }

        All("EOM", eom);
    }

    private void Rset()
    {
        string r = Command("RSET");
        if (r[0] != '2')
        {
            throw new Failure("rejected by server", r);
        }
    }

    private void Quit()
    {
        try
        {
            Command("QUIT");
        }
        catch (Failure)
        {
            // The server may close without a word once QUIT is sent.
        }
    }

    private void StartTls()
    {
        if (_tlsContext is null)
        {
            throw new Failure("missing feature", "TLS not available");
        }

        // The name checked is -S's or the server's; it goes out as SNI unless -T nosni, or it is
        // an IP address (RFC 6066 names hosts only). Verification failures end the handshake.
        string target = _options.ServerName ?? _server.Host;
        bool sni = !_options.NoSni && !IPAddress.TryParse(target, out _);
        TlsStream tls;
        try
        {
            tls = TlsStream.ConnectAsync(new SmtpcBlockingStream(_stream), _tlsContext.Context, target, _options.TlsVerify, CancellationToken.None, sni)
                .GetAwaiter().GetResult();
        }
        catch (IOException e)
        {
            throw new Failure("connection error", e.Message);
        }

        _log(1, $"TLS started: {tls.Info.Text}{(tls.Info.PeerVerified ? ", certificate verified" : string.Empty)}");
        _stream = tls;
        _reader = new StreamReaderLite(tls);
        _tls = true;
        _starttls = _auth = _authPlain = _authLogin = false;
    }

    private string Command(string line, bool extensions = false, bool secret = false)
    {
        _log(2, ">>> " + (secret ? "[...]" : line));
        _stream.Write(Encoding.UTF8.GetBytes(line + "\r\n"));
        _stream.Flush();
        return Reply(extensions);
    }

    /// <summary>One reply, its lines joined as smtp_client_replycat joins them; EHLO's lines name the extensions.</summary>
    private string Reply(bool extensions = false)
    {
        var reply = new StringBuilder();
        while (true)
        {
            string line = _reader.ReadLine() ?? throw new Failure("connection error", "Connection closed");
            _log(2, "<<< " + line);
            if (line.Length < 3)
            {
                throw new Failure("protocol error", "Response too short");
            }

            if (line[0] < '2' || line[0] > '5' || !char.IsAsciiDigit(line[1]) || !char.IsAsciiDigit(line[2]))
            {
                throw new Failure("protocol error", "Invalid reply code");
            }

            bool more = line.Length > 3 && line[3] == '-';
            string msg = line.Length > 3 ? line[4..] : string.Empty;
            if (extensions)
            {
                Extension(msg);
            }

            reply.Append(reply.Length == 0 ? line : Continuation(msg));
            if (!more)
            {
                return reply.ToString();
            }
        }
    }

    private static string Continuation(string msg) =>
        msg.Length > 5 && char.IsAsciiDigit(msg[0]) && msg[1] == '.' && char.IsAsciiDigit(msg[2]) && msg[3] == '.' && char.IsAsciiDigit(msg[4]) && char.IsWhiteSpace(msg[5]) ? msg[5..] : msg;

    private void Extension(string msg)
    {
        if (msg == "STARTTLS")
        {
            _starttls = true;
        }
        else if (msg.StartsWith("AUTH ", StringComparison.Ordinal))
        {
            _auth = true;
            string[] words = msg.Split(' ');
            _authPlain |= words.Contains("PLAIN");
            _authLogin |= words.Contains("LOGIN");
        }
    }

    /// <summary>Lines as they come, CR LF or LF ended, without a decoder's read-ahead beyond the line (STARTTLS swaps the stream).</summary>
    private sealed class StreamReaderLite(Stream stream)
    {
        private readonly List<byte> _line = [];

        public string? ReadLine()
        {
            _line.Clear();
            while (true)
            {
                int b = stream.ReadByte();
                if (b < 0)
                {
                    return _line.Count == 0 ? null : Encoding.UTF8.GetString([.. _line]);
                }

                if (b == '\n')
                {
                    int n = _line.Count > 0 && _line[^1] == '\r' ? _line.Count - 1 : _line.Count;
                    return Encoding.UTF8.GetString([.. _line.Take(n)]);
                }

                _line.Add((byte)b);
            }
        }
    }
}
