// A minimal SMTP client for end-to-end tests: raw lines in, replies out, so a test sees exactly
// what a client sees (codes, texts, multi-line replies).
using System.Net.Sockets;
using System.Text;

namespace Smtpd.Tests.TestSupport;

internal sealed class SmtpClientHelper : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly StreamReader _in;
    private readonly Stream _out;

    public SmtpClientHelper(int port)
    {
        _tcp = new TcpClient();
        _tcp.Connect("127.0.0.1", port);
        _tcp.ReceiveTimeout = 30_000;
        var stream = _tcp.GetStream();
        _in = new StreamReader(stream, Encoding.ASCII);
        _out = stream;
        Greeting = ReadReply();
    }

    public string Greeting { get; }

    /// <summary>Sends one command line and returns the whole reply (continuation lines joined by \n).</summary>
    public string Command(string line)
    {
        Send(line + "\r\n");
        return ReadReply();
    }

    public void Send(string raw) => _out.Write(Encoding.ASCII.GetBytes(raw));

    public string ReadReply()
    {
        var sb = new StringBuilder();
        while (true)
        {
            string? line = _in.ReadLine() ?? throw new IOException("connection closed; got so far: " + sb);
            sb.Append(line);
            if (line.Length < 4 || line[3] != '-')
            {
                return sb.ToString();
            }

            sb.Append('\n');
        }
    }

    /// <summary>A whole transaction; returns the reply to the final dot.</summary>
    public string SendMail(string from, IEnumerable<string> to, string message)
    {
        Assert.StartsWith("250", Command("EHLO client.example.net"), StringComparison.Ordinal);
        Assert.StartsWith("250", Command($"MAIL FROM:<{from}>"), StringComparison.Ordinal);
        foreach (string rcpt in to)
        {
            string r = Command($"RCPT TO:<{rcpt}>");
            Assert.True(r.StartsWith("250", StringComparison.Ordinal), r);
        }

        Assert.StartsWith("354", Command("DATA"), StringComparison.Ordinal);
        string crlf = message.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal);
        Send(crlf + (crlf.EndsWith("\r\n", StringComparison.Ordinal) ? "" : "\r\n") + ".\r\n");
        return ReadReply();
    }

    public void Dispose()
    {
        _in.Dispose();
        _tcp.Dispose();
    }
}
