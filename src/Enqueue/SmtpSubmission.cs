// One SMTP transaction on the local enqueue socket, one command at a time (the server does not
// pipeline): banner, EHLO localhost, MAIL FROM with the DSN RET/ENVID parameters, RCPT TO with
// NOTIFY for each recipient, DATA, the message dot-stuffed, QUIT. With -v the dialogue is echoed
// on standard output (">>> " for what we send, "<<< " for the replies), as enqueue.c prints it.
// Behaviour reference: usr.sbin/smtpd/enqueue.c enqueue(), get_responses(), send_line().
using System.Net.Sockets;
using System.Text;

namespace Smtpd.Enqueue;

internal sealed class SmtpSubmission : IDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly BufferedStream _out;
    private readonly bool _verbose;
    private readonly byte[] _in = new byte[4096];
    private int _inStart;
    private int _inEnd;

    private SmtpSubmission(Socket socket, bool verbose)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _out = new BufferedStream(_stream, 65536);
        _verbose = verbose;
        _stream.ReadTimeout = (int)TimeSpan.FromMinutes(10).TotalMilliseconds;
    }

    /// <summary>The first failed reply, for the error message.</summary>
    public string? Failure { get; private set; }

    /// <summary>Connects to the enqueue socket, or returns null when nothing listens there.</summary>
    public static SmtpSubmission? Connect(string path, bool verbose)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return new SmtpSubmission(socket, verbose);
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }
    }

    public bool Send(string from, IReadOnlyList<string> recipients, SendmailOptions options, IEnumerable<string> lines)
    {
        if (!Expect())
        {
            return false;
        }

        if (!Command("EHLO localhost"))
        {
            return false;
        }

        var mail = new StringBuilder($"MAIL FROM:<{from}>");
        if (options.DsnRet is { } ret)
        {
            mail.Append(" RET=").Append(ret);
        }

        if (options.DsnEnvId is { Length: > 0 } envid)
        {
            mail.Append(" ENVID=").Append(envid);
        }

        if (!Command(mail.ToString()))
        {
            return false;
        }

        foreach (string rcpt in recipients)
        {
            if (!Command(options.DsnNotify is { } notify ? $"RCPT TO:<{rcpt}> NOTIFY={notify}" : $"RCPT TO:<{rcpt}>"))
            {
                return false;
            }
        }

        if (!Command("DATA"))
        {
            return false;
        }

        foreach (string line in lines)
        {
            if (line.StartsWith('.'))
            {
                _out.WriteByte((byte)'.');
            }

            Write(line, echo: false);
        }

        return Command(".") && Command("QUIT");
    }

    public void Dispose()
    {
        _out.Dispose();
        _stream.Dispose();
        _socket.Dispose();
    }

    private bool Command(string line)
    {
        Write(line, _verbose);
        return Expect();
    }

    private void Write(string line, bool echo)
    {
        byte[] bytes = Encoding.Latin1.GetBytes(line + "\r\n");
        _out.Write(bytes);
        if (echo)
        {
            Console.Out.Write(">>> " + line + "\n");
        }
    }

    /// <summary>Reads one reply (all its lines); true when it is 2xx or 3xx.</summary>
    private bool Expect()
    {
        try
        {
            _out.Flush();
            while (true)
            {
                string? line = ReadLine();
                if (line is null)
                {
                    Failure = "connection closed by the server";
                    return false;
                }

                if (line.Length < 4)
                {
                    Failure = "bad response";
                    return false;
                }

                if (_verbose)
                {
                    Console.Out.Write("<<< " + line + "\n");
                }

                if (line[3] == '-')
                {
                    continue;
                }

                if (line[0] is not ('2' or '3'))
                {
                    Failure = "command failed: " + line;
                    return false;
                }

                return true;
            }
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            Failure = e.Message;
            return false;
        }
    }

    private string? ReadLine()
    {
        var line = new List<byte>();
        while (true)
        {
            if (_inStart == _inEnd)
            {
                _inStart = 0;
                _inEnd = _stream.Read(_in, 0, _in.Length);
                if (_inEnd == 0)
                {
                    return null;
                }
            }

            byte b = _in[_inStart++];
            if (b == '\n')
            {
                if (line.Count > 0 && line[^1] == '\r')
                {
                    line.RemoveAt(line.Count - 1);
                }

                return Encoding.Latin1.GetString(line.ToArray());
            }

            line.Add(b);
        }
    }
}
