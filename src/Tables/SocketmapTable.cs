// The socketmap backend: lookups asked of a server over a unix socket in the Sendmail/Postfix
// socketmap protocol, "<map> <key>" out and "OK <value>" / "NOTFOUND " back, each a netstring;
// the map name is the table's name, as table-socketmap sends it. Every service is answered from
// the reply's text; the server does the matching.
// The lookup agent asks synchronously, so nothing here may wait unbounded: connecting and each
// whole question-and-answer are limited by one timeout (5 s unless told). A connection that fails
// or times out is closed (its stream may hold a late answer) and the next lookup connects anew;
// one found dead on reuse (the server restarted) is retried once on a fresh connection.
// Behaviour reference: OpenSMTPD-extras extras/tables/table-socketmap/table_socketmap.c.
using System.Diagnostics;
using System.Net.Sockets;
using Smtpd.Runtime;

namespace Smtpd.Tables;

internal sealed class SocketmapTable : ITable, IDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Longest reply accepted (table-socketmap's reply buffer); Postfix's limit is the same.</summary>
    public const int MaxReply = 100000;

    private readonly string _path;
    private readonly TimeSpan _timeout;
    private readonly Lock _lock = new();
    private Socket? _socket;
    private string? _lastProblem;

    public SocketmapTable(string name, string path, TimeSpan? timeout = null)
    {
        Name = name;
        _path = path;
        _timeout = timeout ?? DefaultTimeout;
    }

    public string Name { get; }

    public MatchResult Match(TableService service, string key) => Lookup(service, key).Result;

    public (MatchResult Result, string? Value) Lookup(TableService service, string key)
    {
        lock (_lock)
        {
            bool reused = _socket is not null;
            var (answer, problem, retry) = Ask(key);
            if (answer is null && reused && retry)
            {
                (answer, problem, _) = Ask(key);
            }

            if (answer is null)
            {
                Problem(problem!);
                return (MatchResult.TempFail, null);
            }

            var (status, text) = SocketmapReply.Parse(answer);
            switch (status)
            {
                case SocketmapStatus.Ok:
                    Recovered();
                    return (MatchResult.Match, text);
                case SocketmapStatus.NotFound:
                    Recovered();
                    return (MatchResult.NoMatch, null);
                default:
                    Log.Warn($"warn: table \"{Name}\": socketmap {_path} answered {status.ToString().ToUpperInvariant()} for \"{key}\": {text}; the lookup is a temporary failure");
                    return (MatchResult.TempFail, null);
            }
        }
    }

    /// <summary>Connects now, so an unreachable server is logged at start; lookups connect again as needed.</summary>
    public void Open()
    {
        lock (_lock)
        {
            try
            {
                Connect(Stopwatch.StartNew());
            }
            catch (Exception e) when (e is SocketException or TimeoutException or IOException)
            {
                Problem(e.Message);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            Close();
        }
    }

    // One question and its answer; on any failure the connection is dropped and the reason
    // returned, with whether a fresh connection might do better (not after a timeout or garbage).
    private (string? Answer, string? Problem, bool Retry) Ask(string key)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var socket = _socket ?? Connect(clock);
            socket.SendTimeout = Remaining(clock);
            // OpenSMTPD lower-cases every key before a backend sees it (table.c table_lookup).
            socket.Send(Netstring.Encode($"{Name} {key.ToLowerInvariant()}"));
            return (Receive(socket, clock), null, false);
        }
        catch (Exception e) when (e is SocketException { SocketErrorCode: SocketError.TimedOut or SocketError.WouldBlock } or TimeoutException)
        {
            Close();
            return (null, $"no answer within {_timeout.TotalSeconds} s", false);
        }
        catch (InvalidDataException e)
        {
            Close();
            return (null, e.Message, false);
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
        {
            Close();
            return (null, e.Message, true);
        }
    }

    private Socket Connect(Stopwatch clock)
    {
        Close();
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            var pending = socket.ConnectAsync(new UnixDomainSocketEndPoint(_path));
            if (!pending.Wait(Remaining(clock)))
            {
                throw new TimeoutException($"connect to {_path} took longer than {_timeout.TotalSeconds} s");
            }
        }
        catch (AggregateException e) when (e.InnerException is SocketException inner)
        {
            socket.Dispose();
            throw inner;
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _socket = socket;
        return socket;
    }

    private string Receive(Socket socket, Stopwatch clock)
    {
        var buffer = new byte[256];
        int filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, Math.Min(buffer.Length * 4, MaxReply + 16));
            }

            socket.ReceiveTimeout = Remaining(clock);
            int n = socket.Receive(buffer, filled, buffer.Length - filled, SocketFlags.None);
            if (n == 0)
            {
                throw new IOException("the socketmap server closed the connection");
            }

            filled += n;
            switch (Netstring.TryParse(buffer.AsSpan(0, filled), MaxReply, out string payload, out int consumed))
            {
                case NetstringStatus.Complete when consumed == filled:
                    return payload;
                case NetstringStatus.Complete:
                    throw new InvalidDataException("the socketmap server sent more than one answer");
                case NetstringStatus.Malformed:
                    throw new InvalidDataException($"malformed socketmap reply (not a netstring of at most {MaxReply} bytes)");
            }
        }
    }

    // Milliseconds left of this lookup's time; a spent budget is a timeout, never "wait forever" (0).
    private int Remaining(Stopwatch clock)
    {
        double left = (_timeout - clock.Elapsed).TotalMilliseconds;
        return left >= 1 ? (int)left : throw new TimeoutException($"no answer within {_timeout.TotalSeconds} s");
    }

    private void Close()
    {
        _socket?.Dispose();
        _socket = null;
    }

    // Logged when it starts or changes, not at every lookup of a busy server.
    private void Problem(string problem)
    {
        if (problem != _lastProblem)
        {
            Log.Warn($"warn: table \"{Name}\": socketmap {_path}: {problem}; lookups answer a temporary failure");
            _lastProblem = problem;
        }
    }

    private void Recovered()
    {
        if (_lastProblem is not null)
        {
            Log.Info($"info: table \"{Name}\": socketmap {_path} answers again");
            _lastProblem = null;
        }
    }
}
