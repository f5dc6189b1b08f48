// `lmtp "destination" [rcpt-to]`: hands the message to an LMTP server (RFC 2033) over a UNIX
// socket or TCP: banner, LHLO, MAIL FROM, one RCPT TO, DATA, the message, the recipient's reply
// after the final dot, QUIT. 2xx is delivered, 4xx and every local or network failure temporary,
// any other reply permanent. Runs as the recipient user, in the delivery helper.
// Behaviour reference: usr.sbin/smtpd/mail.lmtp.c, parse.y ("lmtp" builds the mail.lmtp command)
// Differences: every step has a timeout (mail.lmtp blocks forever); once the final dot is
// accepted the message counts as delivered whatever QUIT gets (mail.lmtp fails on a bad QUIT
// reply, which would deliver the message twice).
using System.Net;
using System.Net.Sockets;

namespace Smtpd.Mda;

internal sealed class LmtpDelivery
{
    /// <summary>mta_session's I/O timeout; the parent's ten-minute limit on the helper still bounds the whole.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    private const int ChunkSize = 64 * 1024;

    private readonly string _destination;
    private readonly string _mailFrom;
    private readonly string _rcptTo;
    private readonly string _lhlo;

    /// <param name="destination">The expanded destination: "/path" for a UNIX socket, "host[:port]" for TCP.</param>
    /// <param name="mailFrom">The envelope sender, "" for the null sender.</param>
    /// <param name="rcptTo">The user name, or with rcpt-to the expanded recipient address.</param>
    /// <param name="lhlo">The LHLO name: smtpd.conf gives mail.lmtp no -l, so it is "localhost".</param>
    public LmtpDelivery(string destination, string mailFrom, string rcptTo, string lhlo = "localhost")
    {
        _destination = destination;
        _mailFrom = mailFrom;
        _rcptTo = rcptTo;
        _lhlo = lhlo;
    }

    /// <summary>How long connecting, each reply and each write of the message may take.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    public async Task<MdaResult> DeliverAsync(Stream message, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!LmtpDestination.TryParse(_destination, out var destination, out string error))
        {
            return MdaResult.TempFail(error);
        }

        var session = new LmtpSession(Timeout, ct);
        try
        {
            var connected = await ConnectAsync(destination, session);
            if (!connected.IsOk)
            {
                return connected;
            }

            return await RunAsync(session, message);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return MdaResult.TempFail($"timeout on LMTP session ({session.Step})");
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidDataException)
        {
            return MdaResult.TempFail($"LMTP session failed ({session.Step}): {e.Message}");
        }
        finally
        {
            session.Dispose();
        }
    }

    private async Task<MdaResult> RunAsync(LmtpSession s, Stream message)
    {
        if (await s.ExpectAsync('2', "banner") is { } bannerFailed)
        {
            return bannerFailed;
        }

        (string Command, string Step)[] envelope =
            [($"LHLO {_lhlo}", "LHLO"), ($"MAIL FROM:<{_mailFrom}>", "MAIL FROM"), ($"RCPT TO:<{_rcptTo}>", "RCPT TO")];
        foreach (var (command, step) in envelope)
        {
            await s.SendAsync(command, step);
            if (await s.ExpectAsync('2', step) is { } refused)
            {
                return refused;
            }
        }

        await s.SendAsync("DATA", "DATA");
        if (await s.ExpectAsync('3', "DATA") is { } dataRefused)
        {
            return dataRefused;
        }

        try
        {
            await StreamMessageAsync(s, message);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            // A server that gives up mid-message usually says why before it closes.
            return await s.ExpectAsync('2', "message") ?? MdaResult.TempFail($"LMTP session failed (message): {e.Message}");
        }

        if (await s.ExpectAsync('2', "end of data") is { } rejected)
        {
            return rejected;
        }

        // Delivered: the server has taken responsibility, so a failing QUIT changes nothing.
        try
        {
            await s.SendAsync("QUIT", "QUIT");
            await s.ExpectAsync('2', "QUIT");
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidDataException or OperationCanceledException)
        {
            s.Ct.ThrowIfCancellationRequested();
        }

        return MdaResult.Ok;
    }

    private static async Task StreamMessageAsync(LmtpSession s, Stream message)
    {
        var encoder = new LmtpDataEncoder();
        byte[] input = new byte[ChunkSize];
        byte[] output = new byte[LmtpDataEncoder.MaxEncodedLength(ChunkSize) + LmtpDataEncoder.MaxFinishLength];
        s.Step = "message";
        while (true)
        {
            int n;
            try
            {
                n = await message.ReadAsync(input, s.Ct);
            }
            catch (IOException e)
            {
                // Our side's failure, not the server's: surfaced as such, still temporary.
                throw new InvalidDataException("reading the message: " + e.Message, e);
            }

            if (n == 0)
            {
                break;
            }

            int length = encoder.Encode(input.AsSpan(0, n), output);
            await s.WriteAsync(output.AsMemory(0, length));
        }

        int tail = encoder.Finish(output);
        await s.WriteAsync(output.AsMemory(0, tail));
    }

    private static async Task<MdaResult> ConnectAsync(LmtpDestination destination, LmtpSession s)
    {
        s.Step = "connect";
        if (destination.IsUnix)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(destination.UnixPath!), s.Arm("connect"));
            }
            catch (SocketException e)
            {
                socket.Dispose();
                return MdaResult.TempFail("connect: " + e.Message);
            }
            catch (OperationCanceledException)
            {
                socket.Dispose();
                throw;
            }

            s.Attach(socket);
            return MdaResult.Ok;
        }

        // The system resolver (hosts file first), as mail.lmtp's getaddrinfo, not our DNS client.
        IPAddress[] addresses;
        if (IPAddress.TryParse(destination.Host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await System.Net.Dns.GetHostAddressesAsync(destination.Host, s.Arm("resolve"));
            }
            catch (SocketException e)
            {
                return MdaResult.TempFail("inet: " + e.Message);
            }
        }

        // Each address in turn, as mail.lmtp walks getaddrinfo's list; the last failure is reported.
        string cause = "inet: no address for " + destination.Host;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, destination.Port), s.Arm("connect"));
                s.Attach(socket);
                return MdaResult.Ok;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                cause = "connect: " + e.Message;
            }
            catch (OperationCanceledException)
            {
                socket.Dispose();
                throw;
            }
        }

        return MdaResult.TempFail(cause);
    }
}
